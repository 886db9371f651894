package io.segstream.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.app.SegStreamApp;
import io.segstream.avro.CartAbandoned;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.UserSegments;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.replay.ReplayFormat;
import io.segstream.replay.ReplaySummary;
import io.segstream.replay.Replayer;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Chaos;
import io.segstream.testing.ChaosInput;
import io.segstream.testing.Memberships;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Chaos (d): input whose event times are weeks old, on a broker that enforces time-based
 * retention every second. Every segment change and abandonment is still readable afterwards, and
 * for every user the membership record equals what their changes imply. With
 * {@code -Dchaos.onlineRetail=FILE} the input is that export, replayed as `segstream replay` does.
 */
@ExtendWith(RealInfrastructure.class)
class OldEventsIT {

    private static final Duration AFTER_RUN = Chaos.FULL ? Duration.ofMinutes(10) : Duration.ofSeconds(8);

    @Test
    void outputsOfEventsWeeksOldOutliveTheBrokersRetentionChecks(ApicurioRegistry registry) throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(null, Map.of(
                "log.retention.check.interval.ms", "1000", "log.segment.delete.delay.ms", "0"))) {
            Chaos.Setup setup = Chaos.setUp(kafka.bootstrapServers(), registry.url(), TestConfigs.suffix(), Map.of());
            SegStreamConfig config = setup.config();
            Topics topics = setup.topics();
            HttpSchemaRegistryClient client = setup.registry();

            String retail = System.getProperty("chaos.onlineRetail");
            long inputs;
            if (retail == null) {
                ChaosInput input = ChaosInput.generate(23, 1_000, Chaos.FULL ? 20_000 : 2_000, 0,
                        Instant.now().minus(Duration.ofDays(30)), Duration.ofHours(3), topics, client);
                try (KafkaProducer<String, byte[]> producer = Chaos.producer(kafka.bootstrapServers())) {
                    input.produce(producer, 0, input.entries().size());
                }
                inputs = input.valid();
            } else {
                ReplaySummary summary = new Replayer(config, client).replay(ReplayFormat.ONLINE_RETAIL, Path.of(retail), 0, false);
                inputs = summary.clicks() + summary.orders();
            }

            try (SegStreamApp app = new SegStreamApp(config, client)) {
                app.start();
                long started = System.nanoTime();
                Chaos.await(Duration.ofMinutes(Chaos.FULL ? 20 : 3), "the input to be processed",
                        () -> app.featureCounters().processedCount() + app.featureCounters().duplicateCount()
                                + app.deadLetterCounters().total() >= inputs);
                Chaos.report("old events: %d inputs processed in %.1f s; waiting %s for the broker's retention checks",
                        inputs, (System.nanoTime() - started) / 1e9, AFTER_RUN);
                // The outputs keep coming a little after the last input (timers, the final sweep).
                Thread.sleep(AFTER_RUN.toMillis());
            }

            List<ConsumerRecord<String, SegmentChange>> changes = Chaos.readAll(kafka.bootstrapServers(),
                    topics.segmentChanges(), new SpecificAvroDeserializer<>(SegmentChange.class, client));
            List<ConsumerRecord<String, UserSegments>> memberships = Chaos.readAll(kafka.bootstrapServers(),
                    topics.segmentMembership(), new SpecificAvroDeserializer<>(UserSegments.class, client));
            List<ConsumerRecord<String, CartAbandoned>> abandoned = Chaos.readAll(kafka.bootstrapServers(),
                    topics.cartAbandoned(), new SpecificAvroDeserializer<>(CartAbandoned.class, client));
            List<String> contradictions = new ArrayList<>();
            var implied = Memberships.impliedByChanges(changes, contradictions);
            var recorded = Memberships.lastRecorded(memberships);
            Chaos.report("old events: %d segment changes, %d memberships, %d abandonments readable; earliest offsets %s %s %s; "
                            + "%d users' memberships, %d contradictions", changes.size(), memberships.size(), abandoned.size(),
                    Chaos.earliestOffsets(kafka.bootstrapServers(), topics.segmentChanges()),
                    Chaos.earliestOffsets(kafka.bootstrapServers(), topics.cartAbandoned()),
                    Chaos.earliestOffsets(kafka.bootstrapServers(), topics.segmentMembership()), recorded.size(),
                    contradictions.size());

            assertThat(changes).isNotEmpty();
            if (retail == null) {
                // The synthetic traffic leaves carts behind; the online-retail export has orders only.
                assertThat(abandoned).isNotEmpty();
            }
            for (String topic : List.of(topics.segmentChanges(), topics.cartAbandoned(), topics.segmentMembership())) {
                assertThat(Chaos.earliestOffsets(kafka.bootstrapServers(), topic).values()).as(topic).containsOnly(0L);
            }
            assertThat(contradictions).isEmpty();
            assertThat(implied).isEqualTo(recorded);
        }
    }
}
