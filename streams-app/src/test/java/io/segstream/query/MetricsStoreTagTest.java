package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams' store metrics reach Prometheus for every kind of store: the tag that names the store
 * is one key, {@code store}, whatever kind of store Kafka Streams named it after.
 */
class MetricsStoreTagTest {

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MeterRegistry streams = Metrics.storeTagged(prometheus);

    @Test
    void keyValueAndWindowStoresOfTheSameMetricAreBothExported() {
        gauge("kafka.stream.state.put.latency.avg", Tags.of("rocksdb.window.state.id", "order-ids", "task.id", "0_1"), 3);
        gauge("kafka.stream.state.put.latency.avg", Tags.of("rocksdb.state.id", "users", "task.id", "0_1"), 5);
        gauge("kafka.stream.state.block.cache.usage", Tags.of("rocksdb.state.id", "definitions", "task.id", "-1_-1"), 7);
        gauge("kafka.stream.thread.process.latency.avg", Tags.of("thread.id", "t-1"), 11);

        assertThat(samples()).containsExactly(
                "kafka_stream_state_block_cache_usage{store=\"definitions\",task_id=\"-1_-1\"} 7.0",
                "kafka_stream_state_put_latency_avg{store=\"order-ids\",task_id=\"0_1\"} 3.0",
                "kafka_stream_state_put_latency_avg{store=\"users\",task_id=\"0_1\"} 5.0",
                "kafka_stream_thread_process_latency_avg{thread_id=\"t-1\"} 11.0");
    }

    @Test
    void aStoreMeterRemovedByTheIdItWasRegisteredWithLeavesTheExport() {
        Tags movedAway = Tags.of("rocksdb.state.id", "users", "task.id", "0_1");
        gauge("kafka.stream.state.put.latency.avg", movedAway, 5);
        gauge("kafka.stream.state.put.latency.avg", Tags.of("rocksdb.state.id", "users", "task.id", "0_2"), 6);

        // As the binder does when a task moved away: by the id it made, the store tag as Kafka Streams named it.
        streams.remove(new Meter.Id("kafka.stream.state.put.latency.avg", movedAway, null, null, Meter.Type.GAUGE));

        assertThat(samples()).containsExactly("kafka_stream_state_put_latency_avg{store=\"users\",task_id=\"0_2\"} 6.0");
    }

    private void gauge(String name, Tags tags, double value) {
        Gauge.builder(name, () -> value).tags(tags).register(streams);
    }

    private List<String> samples() {
        return prometheus.scrape().lines().filter(line -> !line.startsWith("#")).sorted().toList();
    }
}
