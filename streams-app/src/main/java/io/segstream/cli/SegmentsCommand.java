package io.segstream.cli;

import io.segstream.avro.SegmentDefinition;
import io.segstream.config.SegStreamConfig;
import io.segstream.registry.SchemaRegistries;
import io.segstream.segments.DefinitionTopic;
import io.segstream.segments.SegmentFiles;
import io.segstream.segments.SegmentPublisher;
import io.segstream.segments.SegmentSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code segstream segments validate|apply|list|retire}: managing segment definitions. */
@Command(name = "segments", mixinStandardHelpOptions = true,
        description = "Validate, apply, list and retire segment definitions.",
        subcommands = {SegmentsCommand.Validate.class, SegmentsCommand.Apply.class, SegmentsCommand.ListDefinitions.class,
                SegmentsCommand.Retire.class})
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
