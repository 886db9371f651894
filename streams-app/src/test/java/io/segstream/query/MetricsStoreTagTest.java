package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams' store metrics reach Prometheus for every kind of store: the tag that names the store
 * is one key, {@code store}, whatever kind of store Kafka Streams named it after.
 */
class MetricsStoreTagTest {

    @Test
    void keyValueAndWindowStoresOfTheSameMetricAreBothExported() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(Metrics.oneStoreTag());

        gauge(registry, "kafka.stream.state.put.latency.avg", Tags.of("rocksdb.window.state.id", "order-ids", "task.id", "0_1"), 3);
        gauge(registry, "kafka.stream.state.put.latency.avg", Tags.of("rocksdb.state.id", "users", "task.id", "0_1"), 5);
        gauge(registry, "kafka.stream.state.block.cache.usage", Tags.of("rocksdb.state.id", "definitions", "task.id", "-1_-1"), 7);
        gauge(registry, "kafka.stream.thread.process.latency.avg", Tags.of("thread.id", "t-1"), 11);

        assertThat(registry.scrape().lines().filter(line -> !line.startsWith("#")).sorted().toList()).containsExactly(
                "kafka_stream_state_block_cache_usage{store=\"definitions\",task_id=\"-1_-1\"} 7.0",
                "kafka_stream_state_put_latency_avg{store=\"order-ids\",task_id=\"0_1\"} 3.0",
                "kafka_stream_state_put_latency_avg{store=\"users\",task_id=\"0_1\"} 5.0",
                "kafka_stream_thread_process_latency_avg{thread_id=\"t-1\"} 11.0");
    }

    private static void gauge(PrometheusMeterRegistry registry, String name, Tags tags, double value) {
        Gauge.builder(name, () -> value).tags(tags).register(registry);
    }
}
