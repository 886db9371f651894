package io.segstream.cli;

import io.segstream.config.SegStreamConfig;
import io.segstream.registry.SchemaRegistries;
import io.segstream.replay.ReplayFormat;
import io.segstream.replay.ReplaySummary;
import io.segstream.replay.Replayer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code segstream replay}: loads a CSV export into the input topics. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Load a CSV export (.csv or .csv.gz) into the input topics, keyed by user, with progress and a "
                + "summary. Run the pipeline with time.mode=stream to get the results history would have given.")
final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--format", required = true, description = "online-retail or rees46")
    String format;

    @Parameters(paramLabel = "FILE", description = "the export")
    Path file;

    @Option(names = "--bootstrap-servers", description = "Kafka brokers (else bootstrap.servers from --config)")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "registry URL (else schema.registry.url from --config)")
    String registryUrl;

    @Option(names = "--rate", defaultValue = "0", description = "records per second; 0 = as fast as possible")
    int rate;

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new HashMap<>();
        if (bootstrapServers != null) {
            overrides.put(SegStreamConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (registryUrl != null) {
            overrides.put("schema.registry.url", registryUrl);
        }
        SegStreamConfig loaded = config.load(overrides);
        ReplaySummary summary = new Replayer(loaded, SchemaRegistries.client(loaded.all()))
                .replay(ReplayFormat.parse(format), file, rate, true);
        spec.commandLine().getOut().println(summary);
        return 0;
    }
}
