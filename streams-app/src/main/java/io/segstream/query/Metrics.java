package io.segstream.query;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segstream.avro.PrivacyOutcome;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.dlq.DeadLetterCounters;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.topology.InstanceState;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KafkaStreams;

/** Prometheus metrics: Kafka Streams' own (Micrometer binder) and the pipeline's counters. */
public final class Metrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaStreamsMetrics streamsMetrics;
    private final InstanceState instance;

    public Metrics(KafkaStreams streams, InstanceState instance, DeadLetterCounters deadLetters,
            LongSupplier threadFailures) {
        this.instance = instance;
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            FunctionCounter.builder("segstream.dead.letters", deadLetters, counters -> counters.count(reason))
                    .description("Records sent to the dead-letter topic").tag("reason", reason.name()).register(registry);
        }
        FunctionCounter.builder("segstream.stream.thread.failures", threadFailures, LongSupplier::getAsLong)
                .description("Stream threads that failed (an outage, not a record) and were replaced").register(registry);
        FunctionCounter.builder("segstream.punctuation.failures", deadLetters, DeadLetterCounters::failedPunctuations)
                .description("Scheduled work (timers, re-evaluation, sketches) that raised an exception").register(registry);
        FunctionCounter.builder("segstream.events.processed", instance.features(), c -> c.processedCount())
                .description("Clicks and orders applied to user features").register(registry);
        FunctionCounter.builder("segstream.events.duplicates", instance.features(), c -> c.duplicateCount())
                .description("Duplicate clicks and orders dropped").register(registry);
        FunctionCounter.builder("segstream.carts.abandoned", instance.features(), c -> c.abandonmentCount())
                .description("Cart abandonments detected (written to cart.abandoned unless withheld for lack of consent)").register(registry);
        FunctionCounter.builder("segstream.segment.evaluations", instance.segments(), c -> c.evaluations())
                .description("User segment evaluations").register(registry);
        FunctionCounter.builder("segstream.segment.evaluation.seconds", instance.segments(),
                        c -> c.evaluationNanos() / (double) TimeUnit.SECONDS.toNanos(1))
                .description("Time spent evaluating segments").register(registry);
        for (PrivacyOutcome outcome : PrivacyOutcome.values()) {
            if (outcome != PrivacyOutcome.UNKNOWN) {
                FunctionCounter.builder("segstream.privacy.requests", instance.privacy(), c -> c.handledCount(outcome))
                        .description("Privacy requests handled, by outcome").tag("outcome", outcome.name()).register(registry);
            }
        }
        FunctionCounter.builder("segstream.privacy.requests.duplicates", instance.privacy(), c -> c.duplicateCount())
                .description("Re-sent privacy requests dropped (same request id)").register(registry);
        FunctionCounter.builder("segstream.privacy.abandonments.withheld", instance.privacy(), c -> c.withheldCount())
                .description("Cart abandonments not written to cart.abandoned because the user's consent does not allow it")
                .register(registry);
        FunctionCounter.builder("segstream.segment.reevaluated.users", instance.segments(), c -> c.reevaluatedUsers())
                .description("Users re-evaluated without an event of theirs: at their due time, or in a pass over every user").register(registry);
    }

    /** The Prometheus text exposition; segment change counters are registered as segments appear. */
    public String scrape() {
        for (String segment : instance.catalog().snapshot().segments().keySet()) {
            for (SegmentChangeKind kind : new SegmentChangeKind[] {SegmentChangeKind.ENTERED, SegmentChangeKind.EXITED}) {
                FunctionCounter.builder("segstream.segment.changes", instance.segments(), c -> c.changes(segment, kind))
                        .description("Segment changes emitted").tag("segment", segment).tag("kind", kind.name())
                        .register(registry);
            }
            Gauge.builder("segstream.segment.members", instance.members(), members -> members.members(segment))
                    .description("Members of the segment among this instance's users").tag("segment", segment)
                    .register(registry);
        }
        return registry.scrape();
    }

    @Override
    public void close() {
        streamsMetrics.close();
        registry.close();
    }
}
