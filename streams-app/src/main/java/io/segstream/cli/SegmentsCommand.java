package io.segstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.avro.SegmentDefinition;
import io.segstream.config.SegStreamConfig;
import io.segstream.registry.SchemaRegistries;
import io.segstream.segments.DefinitionTopic;
import io.segstream.segments.SegmentFiles;
import io.segstream.segments.SegmentPublisher;
import io.segstream.segments.SegmentSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code segstream segments validate|apply|preview|list|retire}: managing segment definitions. */
@Command(name = "segments", mixinStandardHelpOptions = true,
        description = "Validate, apply, preview, list and retire segment definitions.",
        subcommands = {SegmentsCommand.Validate.class, SegmentsCommand.Apply.class, SegmentsCommand.Preview.class,
                SegmentsCommand.ListDefinitions.class, SegmentsCommand.Retire.class})
final class SegmentsCommand {

    /** The definitions topic of the cluster the options configure. */
    static DefinitionTopic definitionTopic(SegStreamConfig config) {
        return new DefinitionTopic(config, SchemaRegistries.client(config.all()));
    }

    /** Reads and checks files; prints every problem and returns null when there is one. */
    static List<SegmentSpec> readChecked(List<Path> files, PrintWriter err) {
        SegmentFiles.Result result;
        try {
            result = SegmentFiles.read(SegmentFiles.expand(files));
        } catch (java.io.IOException e) {
            err.println("Cannot list definition files: " + e.getMessage());
            return null;
        }
        result.problems().forEach(problem -> err.println(problem));
        return result.ok() ? result.segments() : null;
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check definition files offline: fields, CEL conditions against the facts, groups. "
                    + "Exits 1 and names the file, segment and problem when one is wrong.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML definition files, or directories of them")
        List<Path> files;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<SegmentSpec> segments = readChecked(files, spec.commandLine().getErr());
            if (segments == null) {
                return 1;
            }
            spec.commandLine().getOut().println(segments.size() + " segment(s) are valid.");
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Validate the files, then publish new and changed definitions (each change gets the next "
                    + "version) and create their output topics. Running pipelines pick them up without a restart.")
    static final class Apply implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML definition files, or directories of them")
        List<Path> files;

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<SegmentSpec> segments = readChecked(files, spec.commandLine().getErr());
            if (segments == null) {
                return 1;
            }
            SegStreamConfig loaded = config.load();
            SegmentPublisher.apply(segments, loaded, definitionTopic(loaded)).forEach(out::println);
            return 0;
        }
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = "Validate the files, then ask a running pipeline how many users each definition would hold "
                    + "right now, and which (a sample), from the live state of every instance, as if they were applied "
                    + "(a draft replaces the live definition of its name). Nothing is published.")
    static final class Preview implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML definition files, or directories of them")
        List<Path> files;

        @Option(names = "--api", paramLabel = "URL", description = "the HTTP API of any instance (default: the one the "
                + "configuration describes: application.server, else 127.0.0.1 and api.port; https with a keystore)")
        String api;

        @Option(names = "--token", description = "bearer token of role read (else SEGSTREAM_API_TOKEN)")
        String token;

        @Option(names = "--sample", defaultValue = "10", description = "members listed per segment (default: "
                + "${DEFAULT-VALUE})")
        int sample;

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<SegmentSpec> segments = readChecked(files, spec.commandLine().getErr());
            if (segments == null) {
                return 1;
            }
            // Only the API's address is read from the configuration: Kafka is not needed here.
            ApiClient client = new ApiClient(api != null ? api
                    : ApiClient.baseUrl(config.load(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092"))), token);
            byte[] body = new ObjectMapper().writeValueAsBytes(Map.of("segments", segments));
            JsonNode answer = client.post("/api/v1/segments/preview?sample=" + sample, body, "application/json",
                    Duration.ofMinutes(10));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("As of %s, %,d users on %d of %d instances:%n", answer.path("asOf").asText(),
                    answer.path("evaluatedUsers").asLong(), answer.path("instances").asInt(),
                    answer.path("expectedInstances").asInt());
            out.printf("%-32s %12s %12s  %s%n", "NAME", "MEMBERS", "LIVE", "SAMPLE");
            for (JsonNode segment : answer.path("segments")) {
                JsonNode live = segment.path("liveMemberCount");
                List<String> members = new ArrayList<>();
                segment.path("sample").forEach(member -> members.add(member.asText()));
                out.printf("%-32s %,12d %12s  %s%n", segment.path("name").asText(), segment.path("memberCount").asLong(),
                        live.isNull() ? "(new)" : String.format("%,d", live.asLong()), String.join(" ", members));
            }
            if (answer.path("instances").asInt() < answer.path("expectedInstances").asInt()) {
                spec.commandLine().getErr().println("Not every instance answered: the counts are of part of the users.");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print the live definitions.")
    static final class ListDefinitions implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, SegmentDefinition> current = definitionTopic(config.load()).current();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-32s %7s %8s %-12s %s%n", "NAME", "VERSION", "PRIORITY", "GROUP", "CONDITION");
            current.values().forEach(definition -> out.printf("%-32s %7d %8d %-12s %s%n", definition.getName(),
                    definition.getVersion(), definition.getPriority(),
                    definition.getExclusiveGroup() == null ? "-" : definition.getExclusiveGroup()
                            + (definition.getFallback() ? "*" : ""),
                    definition.getCondition()));
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Retire a segment: its members get EXITED, and it is no longer evaluated.")
    static final class Retire implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "segment name")
        String name;

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            DefinitionTopic topic = definitionTopic(config.load());
            if (!topic.current().containsKey(name)) {
                spec.commandLine().getErr().println("No live segment named '" + name + "'.");
                return 1;
            }
            topic.retire(name);
            spec.commandLine().getOut().println("Retired " + name + ".");
            return 0;
        }
    }
}
