package io.segstream.privacy;

import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.PrivacyRequestType;
import io.segstream.config.ReliableProducers;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.registry.SchemaRegistryClient;
import io.segstream.serde.SpecificAvroSerializer;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishing to {@code privacy.requests}, keyed by user id, as the CLI and the API's admin route do.
 * The producer is made on first use and kept; thread-safe.
 */
public final class PrivacyTopic implements AutoCloseable {

    private final SegStreamConfig config;
    private final String topic;
    private final SchemaRegistryClient registry;
    private KafkaProducer<String, PrivacyRequest> producer;

    public PrivacyTopic(SegStreamConfig config, SchemaRegistryClient registry) {
        this.config = config;
        this.topic = Topics.from(config).privacyRequests();
        this.registry = registry;
    }

    /** A request for {@code user}; a new UUID when {@code requestId} is null, now when {@code requestedAt} is null. */
    public static PrivacyRequest request(String user, PrivacyRequestType type, String requestId, Instant requestedAt) {
        return PrivacyRequest.newBuilder()
                .setRequestId(requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId)
                .setUserId(user)
                .setType(type)
                .setRequestedAt(requestedAt == null ? Instant.now() : requestedAt)
                .build();
    }

    public String name() {
        return topic;
    }

    /** Publishes {@code request} and waits until every in-sync replica has it. */
    public RecordMetadata publish(PrivacyRequest request) {
        try {
            return producer().send(new ProducerRecord<>(topic, request.getUserId(), request)).get();
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot publish to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while publishing to " + topic, e);
        }
    }

    private synchronized KafkaProducer<String, PrivacyRequest> producer() {
        if (producer == null) {
            producer = ReliableProducers.create(config, new SpecificAvroSerializer<>(PrivacyRequest.class, registry, false));
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
