package io.segstream.cli;

import io.segstream.config.TopicCreator;
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
            description = "Create the missing topics (compacted where the contract says so). Safe to re-run.")
    static final class Create implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<String> created = TopicCreator.createMissing(config.load());
            spec.commandLine().getOut().println(created.isEmpty()
                    ? "All topics exist."
                    : "Created " + created.size() + " topic(s): " + String.join(", ", created));
            return 0;
        }
    }
}
