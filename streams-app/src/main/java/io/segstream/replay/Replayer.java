package io.segstream.replay;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroSerializer;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Loads a CSV export (optionally gzipped) into the input topics, keyed by user, showing progress by
 * bytes read; optionally rate-limited. Records carry the time they are produced as their Kafka
 * timestamp: event time travels in the payload (where the pipeline reads it), and a broker would
 * delete records stamped years ago at once under time-based retention.
 */
public final class Replayer {

    private final SegStreamConfig config;
    private final SchemaRegistryClient registry;

    public Replayer(SegStreamConfig config, SchemaRegistryClient registry) {
        this.config = config;
        this.registry = registry;
    }

    /** Replays {@code file}; {@code rate} records per second, 0 for as fast as possible. */
    public ReplaySummary replay(ReplayFormat format, Path file, int rate, boolean showProgress) throws IOException {
        Topics topics = Topics.from(config);
        SpecificAvroSerializer<ClickEvent> clicks = new SpecificAvroSerializer<>(ClickEvent.class, registry, false);
        SpecificAvroSerializer<Order> orders = new SpecificAvroSerializer<>(Order.class, registry, false);
        Map<String, Object> properties = config.clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        ExportReader reader = new ExportReader(format);
        AtomicLong bytes = new AtomicLong();
        long size = Files.size(file);
        long intervalNanos = rate > 0 ? 1_000_000_000L / rate : 0;
        long[] next = {System.nanoTime()};
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        Callback delivery = (metadata, exception) -> {
            if (exception != null) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, exception);
            }
        };
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
             ProgressBar progress = showProgress ? new ProgressBarBuilder().setTaskName("replay " + file.getFileName())
                     .setInitialMax(size).setUnit(" MB", 1_000_000).setStyle(ProgressBarStyle.ASCII)
                     .setUpdateIntervalMillis(500).build() : null;
             InputStream raw = new Counting(new BufferedInputStream(Files.newInputStream(file)), bytes);
             InputStream csv = ExportReader.decompressed(file, raw)) {
            reader.read(csv, record -> {
                if (record instanceof ClickEvent click) {
                    producer.send(new ProducerRecord<>(topics.clickstream(), click.getUserId(),
                            clicks.serialize(topics.clickstream(), click)), delivery);
                } else {
                    Order order = (Order) record;
                    producer.send(new ProducerRecord<>(topics.orders(), order.getUserId(),
                            orders.serialize(topics.orders(), order)), delivery);
                }
                if (progress != null) {
                    progress.stepTo(bytes.get());
                }
                pace(intervalNanos, next);
            });
            producer.flush();
            if (progress != null) {
                progress.stepTo(size);
            }
        }
        if (failed.get() > 0) {
            // Never a silent loss: a replay that could not write everything says so and how much.
            throw new KafkaException(failed.get() + " of the export's records could not be written to "
                    + config.getList(SegStreamConfig.BOOTSTRAP_SERVERS) + " (first error: " + firstFailure.get().getMessage()
                    + "); replay again (re-sent orders and events are de-duplicated)", firstFailure.get());
        }
        return reader.summary();
    }

    private static void pace(long intervalNanos, long[] next) {
        if (intervalNanos == 0) {
            return;
        }
        next[0] += intervalNanos;
        long wait = next[0] - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("Replay interrupted", e);
            }
        }
    }

    /** Counts the bytes read from the file itself (before decompression), for progress. */
    private static final class Counting extends FilterInputStream {
        private final AtomicLong count;

        Counting(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }
    }
}
