package io.segstream.cli;

import io.segstream.app.FormatLocale;
import io.segstream.avro.GeneratedClasses;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code segstream} command; every subcommand only wires library code. */
@Command(name = "segstream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Real-time audience segmentation on Kafka Streams.",
        subcommands = {DemoCommand.class, RunCommand.class, ReplayCommand.class, SegmentsCommand.class, ModelsCommand.class, TopicsCommand.class, ResetCommand.class,
            PrivacyCommand.class,
            CommandLine.HelpCommand.class})
public final class SegStreamCli {

    public static void main(String[] args) {
        FormatLocale.useUnitedStatesUnlessChosen();
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code: 0 ok, 1 failure, 2 bad usage or configuration. */
    public static int execute(String... args) {
        GeneratedClasses.trust();
        return new CommandLine(new SegStreamCli())
                .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
                    if (exception instanceof ConfigException) {
                        commandLine.getErr().println("Configuration error: " + exception.getMessage());
                        return 2;
                    }
                    commandLine.getErr().println("segstream " + commandLine.getCommandName() + " failed: "
                            + exception.getMessage());
                    return 1;
                })
                .execute(args);
    }
}
