package io.segstream.bench.e2e;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.local.SyntheticTraffic;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The demo's synthetic shop traffic, produced to a pair of input topics, keyed by user as the pipeline expects. */
final class Traffic implements AutoCloseable {

    private final SyntheticTraffic traffic;
    private final KafkaProducer<String, byte[]> producer;
    private final SpecificAvroSerializer<ClickEvent> clicks;
    private final SpecificAvroSerializer<Order> orders;
    private final String clickTopic;
    private final String orderTopic;
    private final Set<String> users = new HashSet<>();
    private long sent;

    Traffic(long seed, int users, String bootstrap, SchemaRegistryClient registry, String clickTopic, String orderTopic,
            int lingerMs) {
        this.traffic = new SyntheticTraffic(seed, users);
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        this.producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        this.clicks = new SpecificAvroSerializer<>(ClickEvent.class, registry, false);
        this.orders = new SpecificAvroSerializer<>(Order.class, registry, false);
        this.clickTopic = clickTopic;
        this.orderTopic = orderTopic;
    }

    /** Produces {@code count} events with event times spread evenly over the {@code span} before now. */
    void preload(long count, Duration span) {
        Instant start = Instant.now().minus(span);
        long stepNanos = span.toNanos() / Math.max(1, count);
        long step = 0;
        while (sent < count) {
            traffic.next(start.plusNanos(stepNanos * step++).truncatedTo(java.time.temporal.ChronoUnit.MILLIS), this::send);
        }
        producer.flush();
    }

    /** Produces live events (event time = now) at {@code perSecond} until {@code running} turns false. */
    void live(double perSecond, BooleanSupplier running) throws InterruptedException {
        long interval = (long) (1e9 / perSecond);
        long next = System.nanoTime();
        while (running.getAsBoolean()) {
            long before = sent;
            while (sent == before) {
                traffic.next(Instant.ofEpochMilli(System.currentTimeMillis()), this::send);
            }
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        producer.flush();
    }

    private void send(SpecificRecord record) {
        if (record instanceof ClickEvent click) {
            String key = click.getUserId() != null ? click.getUserId() : click.getAnonymousId();
            users.add(key);
            producer.send(new ProducerRecord<>(clickTopic, key, clicks.serialize(clickTopic, click)));
        } else {
            Order order = (Order) record;
            users.add(order.getUserId());
            producer.send(new ProducerRecord<>(orderTopic, order.getUserId(), orders.serialize(orderTopic, order)));
        }
        sent++;
    }

    long sent() {
        return sent;
    }

    /** Distinct user keys produced so far. */
    int users() {
        return users.size();
    }

    @Override
    public void close() {
        producer.close();
    }
}
