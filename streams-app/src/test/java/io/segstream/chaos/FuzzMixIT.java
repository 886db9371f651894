package io.segstream.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.app.SegStreamApp;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.dlq.DeadLetters;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.registry.HttpSchemaRegistryClient;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Chaos;
import io.segstream.testing.ChaosInput;
import io.segstream.testing.HeaderText;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Chaos (c): synthetic traffic mixed with every documented bad case on a real broker and registry,
 * under each processing guarantee. Every record is accounted for, none of the valid ones is late, and
 * the instance is RUNNING throughout.
 */
@ExtendWith(RealInfrastructure.class)
class FuzzMixIT {

    private static final int VALID = Chaos.FULL ? 20_000 : 3_000;
    private static final int PER_CASE = Chaos.FULL ? 90 : 12;

    @ParameterizedTest(name = "written {0}, {1}")
    @CsvSource({"before the pipeline starts, exactly_once_v2", "while the pipeline runs, exactly_once_v2",
            "before the pipeline starts, at_least_once", "while the pipeline runs, at_least_once"})
    void everyRecordIsProcessedDroppedAsADuplicateOrDeadLetteredWhileTheInstanceKeepsRunning(String when, String guarantee,
            EmbeddedKafkaBroker kafka, ApicurioRegistry registry) throws Exception {
        boolean whileRunning = when.startsWith("while");
        Chaos.Setup setup = Chaos.setUp(kafka.bootstrapServers(), registry.url(), TestConfigs.suffix(),
                Map.of("processing.guarantee", guarantee));
        SegStreamConfig config = setup.config();
        Topics topics = setup.topics();
        HttpSchemaRegistryClient client = setup.registry();
        ChaosInput input = ChaosInput.generate(11, 2_000, VALID, PER_CASE, Instant.now(), Duration.ofHours(3), topics, client);
        int produced = input.entries().size();
        int half = whileRunning ? produced / 10 : produced;

        Set<KafkaStreams.State> states = ConcurrentHashMap.newKeySet();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        long started;
        try (SegStreamApp app = new SegStreamApp(config, client);
                KafkaProducer<String, byte[]> producer = Chaos.producer(kafka.bootstrapServers())) {
            input.produce(producer, 0, half);
            app.start();
            started = System.nanoTime();
            watcher.scheduleAtFixedRate(() -> states.add(app.streams().state()), 0, 50, TimeUnit.MILLISECONDS);
            if (whileRunning) {
                Chaos.await(Duration.ofSeconds(60), "the pipeline to run", () -> app.streams().state() == KafkaStreams.State.RUNNING);
                // The rest in slices, as live producers write, while the pipeline works.
                for (int from = half; from < produced; from += 500) {
                    input.produce(producer, from, Math.min(produced, from + 500));
                    Thread.sleep(100);
                }
            }
            Chaos.await(Duration.ofMinutes(Chaos.FULL ? 10 : 3), "every record to be accounted for", () -> accounted(app) >= produced);
            double seconds = (System.nanoTime() - started) / 1e9;
            Thread.sleep(1_000);

            Map<DeadLetterReason, Long> deadLetters = new EnumMap<>(DeadLetterReason.class);
            for (DeadLetterReason reason : DeadLetterReason.values()) {
                deadLetters.put(reason, app.deadLetterCounters().count(reason));
            }
            Map<DeadLetterReason, Long> expected = new EnumMap<>(DeadLetterReason.class);
            for (DeadLetterReason reason : DeadLetterReason.values()) {
                expected.put(reason, (long) input.deadLetters().getOrDefault(reason, 0));
            }
            Chaos.report("fuzz mix written %s, %s: %d produced = %d processed + %d duplicates + %d dead letters in %.1f s; "
                            + "LATE %d; thread failures %d; states seen %s", when, guarantee, produced,
                    app.featureCounters().processedCount(), app.featureCounters().duplicateCount(),
                    app.deadLetterCounters().total(), seconds, deadLetters.get(DeadLetterReason.LATE), app.threadFailures(),
                    states);

            assertThat(app.featureCounters().processedCount()).isEqualTo(input.valid());
            assertThat(app.featureCounters().duplicateCount()).isEqualTo(input.duplicates());
            assertThat(deadLetters).isEqualTo(expected);
            assertThat(accounted(app)).isEqualTo(produced);
            assertThat(app.threadFailures()).isZero();
            assertThat(states).isSubsetOf(EnumSet.of(KafkaStreams.State.REBALANCING, KafkaStreams.State.RUNNING));
            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);

            List<ConsumerRecord<String, byte[]>> letters =
                    Chaos.readAll(kafka.bootstrapServers(), topics.deadLetters(), new ByteArrayDeserializer());
            assertThat(letters).hasSize((int) app.deadLetterCounters().total());
            long now = System.currentTimeMillis();
            assertThat(letters).allSatisfy(letter -> {
                assertThat(letter.timestamp()).isLessThanOrEqualTo(now);
                assertThat(letter.headers().lastHeader(DeadLetters.HEADER_REASON)).isNotNull();
            });
            assertThat(letters.stream().filter(letter -> "NULL_VALUE".equals(HeaderText.of(letter.headers())
                    .get(DeadLetters.HEADER_REASON)))).allSatisfy(letter -> assertThat(letter.value()).isNull());
        } finally {
            watcher.shutdownNow();
        }
    }

    private static long accounted(SegStreamApp app) {
        return app.featureCounters().processedCount() + app.featureCounters().duplicateCount() + app.deadLetterCounters().total();
    }
}
