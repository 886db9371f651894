package io.segstream.cli;

import io.segstream.config.SegStreamConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by commands that talk to a cluster. */
final class ConfigOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Properties file (see deploy/segstream.properties); SEGSTREAM_* environment variables "
                    + "override its keys, e.g. SEGSTREAM_BOOTSTRAP_SERVERS.")
    Path file;

    SegStreamConfig load() {
        return load(java.util.Map.of());
    }

    /** Loads the configuration with command-line values taking precedence over file and environment. */
    SegStreamConfig load(java.util.Map<String, String> overrides) {
        return SegStreamConfig.load(file, System.getenv(), overrides);
    }
}
