package io.segstream.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.app.SegStreamApp;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Chaos;
import io.segstream.testing.ChaosInput;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A graceful stop (what SIGTERM runs) and restart of one instance of two, under live traffic,
 * exactly-once: the other instance's own partition keeps committing throughout.
 */
@ExtendWith(RealInfrastructure.class)
class RollingRestartIT {

    @Test
    void stoppingAndRestartingOneInstanceDoesNotStallTheOther(EmbeddedKafkaBroker kafka, ApicurioRegistry registry)
            throws Exception {
        String suffix = TestConfigs.suffix();
        Chaos.Setup setup = Chaos.setUp(kafka.bootstrapServers(), registry.url(), suffix, Map.of());
        SegStreamConfig one = instance(setup.values(), suffix, 1);
        SegStreamConfig two = instance(setup.values(), suffix, 2);
        Topics topics = setup.topics();
        HttpSchemaRegistryClient client = setup.registry();
        ChaosInput input = ChaosInput.generate(41, 1_000, 6_000, 0, Instant.now(), Duration.ofHours(1), topics, client);
        int total = input.entries().size();

        try (SegStreamApp first = new SegStreamApp(one, client);
                KafkaProducer<String, byte[]> producer = Chaos.producer(kafka.bootstrapServers());
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            SegStreamApp second = new SegStreamApp(two, client);
            first.start();
            second.start();
            Chaos.await(Duration.ofSeconds(60), "both instances running with a task each", () ->
                    activePartitions(first) == 1 && activePartitions(second) == 1);
            int kept = partitionOf(first);
            TopicPartition watched = new TopicPartition(topics.clickstream(), kept);

            // Live traffic: about 250 events/s for the whole test.
            CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                for (int from = 0; from < total; from += 25) {
                    input.produce(producer, from, Math.min(total, from + 25));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
            String group = one.getString(SegStreamConfig.APPLICATION_ID);
            long[] lastCommitted = {committed(admin, group, watched)};
            long[] lastAdvance = {System.nanoTime()};
            long[] longestStall = {0};
            Runnable watch = () -> {
                long now = committed(admin, group, watched);
                if (now > lastCommitted[0]) {
                    longestStall[0] = Math.max(longestStall[0], System.nanoTime() - lastAdvance[0]);
                    lastCommitted[0] = now;
                    lastAdvance[0] = System.nanoTime();
                }
            };
            watchFor(Duration.ofSeconds(4), watch);
            long stopped = System.nanoTime();
            second.close();
            watchFor(Duration.ofSeconds(5), watch);
            SegStreamApp restarted = new SegStreamApp(two, client);
            restarted.start();
            try {
                while (!(activePartitions(restarted) == 1 && activePartitions(first) == 1)) {
                    watchFor(Duration.ofMillis(200), watch);
                    assertThat(System.nanoTime() - stopped).as("the restarted instance gets its task back").isLessThan(
                            Duration.ofSeconds(90).toNanos());
                }
                double rejoined = (System.nanoTime() - stopped) / 1e9;
                watchFor(Duration.ofSeconds(5), watch);
                Chaos.report("rolling restart: one of two instances stopped and started again; the other's partition "
                        + "committed throughout, longest pause %.1f s; both had a task again %.1f s after the stop",
                        longestStall[0] / 1e9, rejoined);
                assertThat(first.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(longestStall[0]).as("longest pause of the other instance's commits, ns")
                        .isLessThan(Duration.ofSeconds(3).toNanos());
            } finally {
                traffic.cancel(true);
                restarted.close();
            }
        }
    }

    private static void watchFor(Duration duration, Runnable watch) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            watch.run();
            Thread.sleep(100);
        }
    }

    private static long committed(Admin admin, String group, TopicPartition partition) {
        try {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
            return offset == null ? 0 : offset.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int activePartitions(SegStreamApp app) {
        if (app.streams().state() != KafkaStreams.State.RUNNING) {
            return -1;
        }
        return app.streams().metadataForLocalThreads().stream().mapToInt(thread -> thread.activeTasks().size()).sum();
    }

    private static int partitionOf(SegStreamApp app) {
        for (ThreadMetadata thread : app.streams().metadataForLocalThreads()) {
            return thread.activeTasks().iterator().next().taskId().partition();
        }
        throw new AssertionError("no active task");
    }

    private static SegStreamConfig instance(Map<String, String> shared, String suffix, int number) {
        Map<String, String> values = new HashMap<>(shared);
        values.put("state.dir", "target/it-state/" + suffix + "-" + number);
        return SegStreamConfig.of(values);
    }
}
