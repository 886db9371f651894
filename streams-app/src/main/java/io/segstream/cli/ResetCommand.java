package io.segstream.cli;

import io.segstream.config.ApplicationReset;
import io.segstream.config.ClusterChecks;
import io.segstream.config.SegStreamConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code segstream reset}: the application's offsets, internal topics and local state, for a replay or disaster recovery. */
@Command(name = "reset", mixinStandardHelpOptions = true,
        description = {"Reset the application as Kafka's streams reset tool does: refuse while any instance is in the "
                + "consumer group, move the inputs' offsets (clickstream, orders, privacy requests) to --to, delete the "
                + "internal topics (state changelogs), then delete this host's local state. Every instance then starts "
                + "from empty state and processes the inputs again from that point: segment changes are emitted again.",
            "Stops nothing by itself. Output topics, definitions, models and sketches are left alone."})
final class ResetCommand implements Callable<Integer> {
    private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(30);

    @Mixin
    ConfigOptions config;

    @Option(names = "--to", paramLabel = "POINT", defaultValue = "earliest",
            description = "Where the inputs' offsets go: earliest (default), latest, an instant (2026-12-01T00:00:00Z: "
                    + "the first record at or after it) or a duration back from now (7d, 36h).")
    String to;

    @Option(names = "--dry-run", description = "Print what would be done; change nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ApplicationReset.Point point;
        try {
            point = ApplicationReset.Point.parse(to, Instant.now());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--to: " + e.getMessage());
        }
        SegStreamConfig settings = config.load();
        try (ClusterChecks cluster = new ClusterChecks(settings)) {
            cluster.awaitBrokers(BROKER_TIMEOUT);
        }
        PrintWriter out = spec.commandLine().getOut();
        return new ApplicationReset(settings, out).run(point, dryRun);
    }
}
