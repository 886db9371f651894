package io.segstream.cli;

import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.PrivacyRequestType;
import io.segstream.config.ReliableProducers;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.Topics;
import io.segstream.registry.SchemaRegistries;
import io.segstream.serde.SpecificAvroSerializer;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code segstream privacy erase|consent}: publishing privacy requests for running pipelines to handle. */
@Command(name = "privacy", mixinStandardHelpOptions = true,
        description = "Publish privacy requests (erasure, consent) to the privacy.requests topic.",
        subcommands = {PrivacyCommand.Erase.class, PrivacyCommand.ConsentChange.class})
final class PrivacyCommand {

    /** The options every request takes. */
    static final class RequestOptions {
        @Mixin
        ConfigOptions config;

        @Option(names = "--request-id", paramLabel = "ID",
                description = "Id of the request (default: a new UUID). Re-sending a request with the same id and "
                        + "--requested-at is handled once.")
        String requestId;

        @Option(names = "--requested-at", paramLabel = "TIME",
                description = "When the user made the request, ISO-8601 (default: now).")
        Instant requestedAt;
    }

    /** Publishes a request and prints where it went. */
    static int publish(CommandSpec spec, RequestOptions options, String user, PrivacyRequestType type) {
        if (user.isBlank()) {
            spec.commandLine().getErr().println("USER must not be empty.");
            return 2;
        }
        SegStreamConfig config = options.config.load();
        String topic = Topics.from(config).privacyRequests();
        PrivacyRequest request = PrivacyRequest.newBuilder()
                .setRequestId(options.requestId == null ? UUID.randomUUID().toString() : options.requestId)
                .setUserId(user)
                .setType(type)
                .setRequestedAt(options.requestedAt == null ? Instant.now() : options.requestedAt)
                .build();
        SpecificAvroSerializer<PrivacyRequest> values =
                new SpecificAvroSerializer<>(PrivacyRequest.class, SchemaRegistries.client(config.all()), false);
        try (KafkaProducer<String, PrivacyRequest> producer = ReliableProducers.create(config, values)) {
            RecordMetadata written = producer.send(new ProducerRecord<>(topic, user, request)).get();
            spec.commandLine().getOut().printf("Published %s request %s for user %s to %s (partition %d, offset %d).%n",
                    type, request.getRequestId(), user, topic, written.partition(), written.offset());
            return 0;
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot publish to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while publishing to " + topic, e);
        }
    }

    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = "Erase a user: they leave every segment (EXITED, trigger ERASURE), and their state, timers "
                    + "and membership record are deleted on every instance. Their later events start a new profile.")
    static final class Erase implements Callable<Integer> {
        @Parameters(paramLabel = "USER", description = "user id (as the input topics key it)")
        String user;

        @Mixin
        RequestOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return publish(spec, options, user, PrivacyRequestType.ERASE);
        }
    }

    @Command(name = "consent", mixinStandardHelpOptions = true,
            description = "Record a user's consent: withdrawn = they leave every segment that requires consent "
                    + "(EXITED, trigger CONSENT) and enter none until granted again.")
    static final class ConsentChange implements Callable<Integer> {
        /** The two answers a user gives. */
        enum Answer { granted, withdrawn }

        @Parameters(index = "0", paramLabel = "USER", description = "user id")
        String user;

        @Parameters(index = "1", paramLabel = "granted|withdrawn", description = "the user's answer: ${COMPLETION-CANDIDATES}")
        Answer answer;

        @Mixin
        RequestOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return publish(spec, options, user, answer == Answer.granted
                    ? PrivacyRequestType.CONSENT_GRANTED : PrivacyRequestType.CONSENT_WITHDRAWN);
        }
    }
}
