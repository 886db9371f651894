package io.segstream.bench.e2e;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.avro.PrivacyRequest;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The two reference pipelines SegStream is measured against, on the same input topics and with
 * the same Avro serdes: a passthrough (Kafka Streams' own limit for reading and writing these
 * records) and a per-user count in one RocksDB store (the least a stateful per-user job does).
 */
final class Pipelines {

    static final String COUNTS = "counts";

    private Pipelines() {}

    /**
     * Clicks, orders and privacy requests copied to three output topics, deserialized and serialized
     * again, in one task per partition that reads all three topics: the layout SegStream's own tasks
     * have (a user's clicks, orders and requests are handled in one task, in event-time order), and
     * with it the work Kafka Streams does per record to choose the next one among a task's partitions.
     */
    static Topology passthrough(String clicks, String orders, String privacyRequests, String outputPrefix,
            SchemaRegistryClient registry) {
        Serde<ClickEvent> clickSerde = new SpecificAvroSerde<>(ClickEvent.class, registry, false);
        Serde<Order> orderSerde = new SpecificAvroSerde<>(Order.class, registry, false);
        Serde<PrivacyRequest> requestSerde = new SpecificAvroSerde<>(PrivacyRequest.class, registry, false);
        Topology topology = new Topology();
        topology.addSource("clicks", Serdes.String().deserializer(), clickSerde.deserializer(), clicks);
        topology.addSource("orders", Serdes.String().deserializer(), orderSerde.deserializer(), orders);
        topology.addSource("privacy-requests", Serdes.String().deserializer(), requestSerde.deserializer(), privacyRequests);
        topology.addProcessor("route", Route::new, "clicks", "orders", "privacy-requests");
        topology.addSink("clicks-out", outputPrefix + "-clicks", Serdes.String().serializer(), clickSerde.serializer(), "route");
        topology.addSink("orders-out", outputPrefix + "-orders", Serdes.String().serializer(), orderSerde.serializer(), "route");
        topology.addSink("privacy-requests-out", outputPrefix + "-privacy.requests", Serdes.String().serializer(),
                requestSerde.serializer(), "route");
        return topology;
    }

    /** Each record to the sink of its own type. */
    private static final class Route implements Processor<String, SpecificRecord, String, SpecificRecord> {
        private ProcessorContext<String, SpecificRecord> context;

        @Override
        public void init(ProcessorContext<String, SpecificRecord> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, SpecificRecord> record) {
            SpecificRecord value = record.value();
            context.forward(record, value instanceof ClickEvent ? "clicks-out"
                    : value instanceof Order ? "orders-out" : "privacy-requests-out");
        }
    }

    /**
     * The passthrough as it was measured before 2026-12-04: clicks and orders each in tasks of their
     * own (two sub-topologies), which never choose between partitions; privacy requests not read.
     */
    static Topology perTopicPassthrough(String clicks, String orders, String outputPrefix, SchemaRegistryClient registry) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<ClickEvent> clickSerde = new SpecificAvroSerde<>(ClickEvent.class, registry, false);
        Serde<Order> orderSerde = new SpecificAvroSerde<>(Order.class, registry, false);
        builder.stream(clicks, Consumed.with(Serdes.String(), clickSerde))
                .to(outputPrefix + "-clicks", Produced.with(Serdes.String(), clickSerde));
        builder.stream(orders, Consumed.with(Serdes.String(), orderSerde))
                .to(outputPrefix + "-orders", Produced.with(Serdes.String(), orderSerde));
        return builder.build();
    }

    /** Events per user key, counted in a persistent store with a changelog, in tasks reading all three input topics. */
    static Topology perUserCount(String clicks, String orders, String privacyRequests, SchemaRegistryClient registry) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTS), Serdes.String(),
                Serdes.Long()));
        builder.stream(clicks, Consumed.with(Serdes.String(), new SpecificAvroSerde<>(ClickEvent.class, registry, false)))
                .process(Count<ClickEvent>::new, COUNTS);
        builder.stream(orders, Consumed.with(Serdes.String(), new SpecificAvroSerde<>(Order.class, registry, false)))
                .process(Count<Order>::new, COUNTS);
        builder.stream(privacyRequests,
                        Consumed.with(Serdes.String(), new SpecificAvroSerde<>(PrivacyRequest.class, registry, false)))
                .process(Count<PrivacyRequest>::new, COUNTS);
        return builder.build();
    }

    private static final class Count<V extends SpecificRecord> implements Processor<String, V, Void, Void> {
        private KeyValueStore<String, Long> counts;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            counts = context.getStateStore(COUNTS);
        }

        @Override
        public void process(Record<String, V> record) {
            Long count = counts.get(record.key());
            counts.put(record.key(), count == null ? 1 : count + 1);
        }
    }

    /**
     * Records the stream threads of {@code streams} have processed: Kafka Streams' own
     * stream-thread-metrics process-total, the same measure for every pipeline. The metrics are
     * looked up once; reading a metric's value costs next to nothing, unlike copying the metrics map.
     */
    static java.util.function.DoubleSupplier processed(KafkaStreams streams) {
        List<Metric> totals = streams.metrics().values().stream()
                .filter(metric -> metric.metricName().group().equals("stream-thread-metrics")
                        && metric.metricName().name().equals("process-total"))
                .map(metric -> (Metric) metric)
                .toList();
        return () -> totals.stream().mapToDouble(metric -> ((Number) metric.metricValue()).doubleValue()).sum();
    }

    /**
     * A drain's rate in records per second, and the CPU time its stream threads spent per record: the
     * pipeline's own cost, which other work on a shared machine changes far less than the rate.
     */
    /**
     * A drain's rate, its stream threads' CPU and heap allocation per record, the share of its time the
     * collectors stopped the JVM, and the CPU per record of the whole JVM (the stream threads, the
     * producer's sender, the collector, the compilers), of its JIT compilers alone and of the broker over
     * the same span.
     */
    record Drain(double perSecond, double cpuMicrosPerRecord, double allocatedBytesPerRecord, double gcPausedShare,
            double jvmCpuMicrosPerRecord, double jitCpuMicrosPerRecord, double brokerCpuMicrosPerRecord) {}

    /**
     * Waits until {@code streams} has processed {@code expected} records; the rate and CPU per record
     * are timed from the first processed record (start-up and rebalancing excluded). Polls every 5 ms,
     * so the measurement itself takes no CPU worth counting from the pipeline.
     */
    static Drain drain(KafkaStreams streams, String applicationId, long expected, Duration timeout,
            java.util.function.LongSupplier brokerCpuNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.function.DoubleSupplier processed = null;
        long first = 0;
        double atFirst = 0;
        long cpuAtFirst = 0;
        long allocatedAtFirst = 0;
        long pausedAtFirst = 0;
        long jvmCpuAtFirst = 0;
        long jitCpuAtFirst = 0;
        long brokerCpuAtFirst = 0;
        while (System.nanoTime() < deadline) {
            if (processed == null && streams.state() == KafkaStreams.State.RUNNING) {
                processed = processed(streams);
            }
            double done = processed == null ? 0 : processed.getAsDouble();
            long now = System.nanoTime();
            if (first == 0 && done > 0) {
                first = now;
                atFirst = done;
                cpuAtFirst = streamThreadCpuNanos(applicationId);
                allocatedAtFirst = streamThreadAllocatedBytes(applicationId);
                pausedAtFirst = gcPausedMillis();
                jvmCpuAtFirst = processCpuNanos();
                jitCpuAtFirst = ThreadTimes.now().compilersCpuNanos();
                brokerCpuAtFirst = brokerCpuNanos.getAsLong();
            }
            if (done >= expected) {
                double records = expected - atFirst;
                double seconds = (now - first) / 1e9;
                return new Drain(records / seconds, (streamThreadCpuNanos(applicationId) - cpuAtFirst) / 1e3 / records,
                        (streamThreadAllocatedBytes(applicationId) - allocatedAtFirst) / records,
                        (gcPausedMillis() - pausedAtFirst) / 1e3 / seconds, (processCpuNanos() - jvmCpuAtFirst) / 1e3 / records,
                        (ThreadTimes.now().compilersCpuNanos() - jitCpuAtFirst) / 1e3 / records,
                        (brokerCpuNanos.getAsLong() - brokerCpuAtFirst) / 1e3 / records);
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("processed only " + (processed == null ? 0 : (long) processed.getAsDouble()) + " of "
                + expected + " records in " + timeout.toSeconds() + " s");
    }

    /**
     * The time (ms) this JVM's collectors have stopped it so far: the stream threads wait through it,
     * and their CPU time does not show it. (G1's concurrent cycles, which do not stop them, are not counted.)
     */
    static long gcPausedMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(collector -> !collector.getName().contains("Concurrent"))
                .mapToLong(collector -> Math.max(0, collector.getCollectionTime())).sum();
    }

    /** CPU time (ns) this JVM has used so far, every thread. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU time (ns) the stream threads of application {@code applicationId} have used so far. */
    static long streamThreadCpuNanos(String applicationId) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return streamThreads(applicationId, thread -> threads.getThreadCpuTime(thread.getId()));
    }

    /** Bytes of heap the stream threads of {@code applicationId} have allocated so far (what the collector has to clear). */
    static long streamThreadAllocatedBytes(String applicationId) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        return streamThreads(applicationId, thread -> threads.getThreadAllocatedBytes(thread.getId()));
    }

    private static long streamThreads(String applicationId, java.util.function.ToLongFunction<Thread> measure) {
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(applicationId + "-") && thread.getName().contains("-StreamThread-")) {
                total += Math.max(0, measure.applyAsLong(thread));
            }
        }
        return total;
    }

    /** Records the producers of {@code streams} have sent so far, by topic (largest first): what a drain wrote. */
    static String recordsSent(KafkaStreams streams) {
        Map<String, Double> byTopic = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            if (name.group().equals("producer-topic-metrics") && name.name().equals("record-send-total")
                    && metric.metricValue() instanceof Double sent) {
                byTopic.merge(name.tags().get("topic"), sent, Double::sum);
            }
        });
        return byTopic.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(entry -> String.format("%s %,.0f", entry.getKey(), entry.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    static Properties streamsProperties(String bootstrap, String applicationId, String guarantee, String stateDir) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrap);
        properties.put("application.id", applicationId);
        properties.put("processing.guarantee", guarantee);
        properties.put("num.stream.threads", "1");
        properties.put("state.dir", stateDir);
        return properties;
    }
}
