package io.segstream.cli;

import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.PrivacyRequestType;
import io.segstream.config.SegStreamConfig;
import io.segstream.privacy.PrivacyTopic;
import io.segstream.registry.SchemaRegistries;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
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
        PrivacyRequest request = PrivacyTopic.request(user, type, options.requestId, options.requestedAt);
        try (PrivacyTopic topic = new PrivacyTopic(config, SchemaRegistries.client(config.all()))) {
            RecordMetadata written = topic.publish(request);
            spec.commandLine().getOut().printf("Published %s request %s for user %s to %s (partition %d, offset %d).%n",
                    type, request.getRequestId(), user, topic.name(), written.partition(), written.offset());
            return 0;
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
