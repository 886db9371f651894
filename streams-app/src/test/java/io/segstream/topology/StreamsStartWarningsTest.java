package io.segstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.segstream.config.SegStreamConfig;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.registry.InMemorySchemaRegistry;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What Kafka Streams says about SegStream's settings when the client is made (before any broker is reached). */
class StreamsStartWarningsTest {

    @Test
    void kafkaStreamsDoesNotWarnThatTheGlobalProcessingExceptionHandlerIsOff() {
        SegStreamConfig config = SegStreamConfig.of(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9",
                SegStreamConfig.APPLICATION_ID, "segstream-start-warnings", "schema.registry.url", "mem://start-warnings"));
        Properties properties = SegStreamTopology.streamsProperties(config, new DeadLetterCounters());
        properties.put(StreamsConfig.STATE_DIR_CONFIG, "target/start-warnings-state/" + UUID.randomUUID());
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger settingsDump = (Logger) LoggerFactory.getLogger(AbstractConfig.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        Level level = settingsDump.getLevel();
        settingsDump.setLevel(Level.INFO);
        try {
            // Makes the stream thread's consumer, whose partition assignor reads the settings again.
            new KafkaStreams(SegStreamTopology.build(config, InMemorySchemaRegistry.named("start-warnings"),
                    InstanceState.create()), properties).close();
        } finally {
            settingsDump.setLevel(level);
            root.detachAppender(logged);
        }

        assertThat(logged.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(message -> message.contains("processing.exception.handler.global.enabled"));
        // The capture works: Kafka's settings dump (at INFO) was seen.
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(message -> message.startsWith("StreamsConfig values:"));
    }
}
