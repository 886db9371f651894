package io.segstream.cli;

import io.segstream.config.ClusterChecks;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code segstream topics create}: the topics the pipeline needs, from the configured names. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Manage the topics SegStream reads and writes.",
        subcommands = TopicsCommand.Create.class)
final class TopicsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create the missing topics (compacted where the contract says so). Safe to re-run. Exits 2 "
                    + "when the brokers would refuse what timestamp.max.future accepts.")
    static final class Create implements Callable<Integer> {
        private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(30);

        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SegStreamConfig settings = config.load();
            try (ClusterChecks cluster = new ClusterChecks(settings)) {
                cluster.awaitBrokers(BROKER_TIMEOUT);
                List<String> created = TopicCreator.createMissing(settings);
                spec.commandLine().getOut().println(created.isEmpty()
                        ? "All topics exist."
                        : "Created " + created.size() + " topic(s): " + String.join(", ", created));
                List<String> problems = cluster.timestampProblems();
                problems.forEach(problem -> spec.commandLine().getErr().println("Configuration error: " + problem));
                String warning = cluster.oldEventLimit();
                if (warning != null) {
                    spec.commandLine().getErr().println("Warning: " + warning);
                }
                return problems.isEmpty() ? 0 : 2;
            }
        }
    }
}
