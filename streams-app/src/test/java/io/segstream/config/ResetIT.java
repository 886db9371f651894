package io.segstream.config;

import static io.segstream.testing.Definitions.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.segstream.app.SegStreamApp;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.SegmentChange;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.serde.SpecificAvroDeserializer;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Cli;
import io.segstream.testing.Events;
import io.segstream.testing.Instances;
import io.segstream.testing.KafkaTopics;
import io.segstream.testing.PipelineSetup;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segstream reset} against a real broker: refused while an instance runs; a dry run changes
 * nothing; a reset moves the inputs' offsets, deletes the changelogs and the local state, and the
 * next start processes the inputs again from empty state; {@code --to INSTANT} starts from the first
 * record at or after the instant.
 */
@ExtendWith(RealInfrastructure.class)
class ResetIT {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @Test
    void resetsOffsetsChangelogsAndLocalStateOnlyWhenNoInstanceRuns(EmbeddedKafkaBroker kafka, ApicurioRegistry registry,
            @TempDir Path dir) throws Exception {
        PipelineSetup pipeline = PipelineSetup.create(kafka, registry,
                values -> values.put("state.dir", dir.resolve("state").toString()));
        SegStreamConfig config = pipeline.config();
        String file = TestConfigs.write(pipeline.values(), dir.resolve("segstream.properties")).toString();
        String application = config.getString(SegStreamConfig.APPLICATION_ID);
        Topics topics = pipeline.topics();
        HttpSchemaRegistryClient client = pipeline.registry();
        pipeline.publish(segment("cart-holders", "cart.items > 0", 1).build());
        pipeline.sendClicks(IntStream.range(0, 3).mapToObj(i -> Events.add("e" + i, "u" + i, "sku-" + i, 2, "10.00",
                T0.plusSeconds(60L * i))).toArray(ClickEvent[]::new));
        TopicPartition clickstream = new TopicPartition(topics.clickstream(), 0);

        try (SegStreamApp app = new SegStreamApp(config, client)) {
            Instances.startWithTasks(app);
            assertThat(changes(kafka, client, topics, 3)).extracting(ConsumerRecord::key).containsExactly("u0", "u1", "u2");
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka, application, clickstream) == 3);

            String refused = Cli.runFailing(1, "reset", "--config", file);
            assertThat(refused).contains("1 instance(s) are still in consumer group " + application)
                    .contains("Stop every instance first");
        }
        List<String> changelogs = internalTopics(kafka, application);
        assertThat(changelogs).contains(application + "-users-changelog");
        assertThat(dir.resolve("state").resolve(application)).isDirectory();

        String dryRun = Cli.run("reset", "--config", file, "--dry-run");
        assertThat(dryRun).contains("Dry run: would reset application " + application + ", inputs to earliest")
                .contains("Would delete the local state");
        assertThat(committed(kafka, application, clickstream)).isEqualTo(3);
        assertThat(internalTopics(kafka, application)).isEqualTo(changelogs);
        assertThat(dir.resolve("state").resolve(application)).isDirectory();

        String reset = Cli.run("reset", "--config", file);
        assertThat(reset).contains("Resetting application " + application + ", inputs to earliest")
                .contains("Deleted the local state " + dir.resolve("state").resolve(application));
        assertThat(committed(kafka, application, clickstream)).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> internalTopics(kafka, application).isEmpty());
        assertThat(dir.resolve("state").resolve(application)).doesNotExist();

        // The next start processes every input again from empty state: each user enters again, once.
        try (SegStreamApp app = new SegStreamApp(config, client)) {
            Instances.startWithTasks(app);
            List<ConsumerRecord<String, SegmentChange>> again = changes(kafka, client, topics, 6);
            assertThat(again).extracting(ConsumerRecord::key).containsExactly("u0", "u1", "u2", "u0", "u1", "u2");
            assertThat(again.subList(3, 6)).allSatisfy(change -> assertThat(change.value().getFeatures())
                    .containsEntry("cart.items", 2L));
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka, application, clickstream) == 3);
        }

        // From an instant: the first record at or after it (the second event, T0 + 60 s).
        String fromInstant = Cli.run("reset", "--config", file, "--to", T0.plusSeconds(30).toString());
        assertThat(fromInstant).contains("inputs to " + T0.plusSeconds(30));
        assertThat(committed(kafka, application, clickstream)).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("state").resolve(application))).isFalse();

        Cli.runFailing(2, "reset", "--config", file, "--to", "yesterday");
    }

    private static List<ConsumerRecord<String, SegmentChange>> changes(EmbeddedKafkaBroker kafka,
            HttpSchemaRegistryClient client, Topics topics, int count) {
        return KafkaTopics.consume(kafka, topics.segmentChanges(), new SpecificAvroDeserializer<>(SegmentChange.class, client),
                count);
    }

    private static long committed(EmbeddedKafkaBroker kafka, String group, TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(partition);
            return offset == null ? -1 : offset.offset();
        }
    }

    private static List<String> internalTopics(EmbeddedKafkaBroker kafka, String application) throws Exception {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            return admin.listTopics().names().get().stream().filter(name -> name.startsWith(application + "-")).sorted()
                    .toList();
        }
    }
}
