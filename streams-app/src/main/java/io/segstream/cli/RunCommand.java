package io.segstream.cli;

import io.segstream.app.SegStreamApp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code segstream run}: the pipeline against an external cluster and registry, until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the pipeline against the configured Kafka cluster and schema registry until stopped "
                + "(Ctrl-C or SIGTERM). Several instances with the same application.id share the work.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() throws InterruptedException {
        SegStreamApp app = new SegStreamApp(config.load());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "segstream-shutdown"));
        app.start();
        return app.awaitStopped() ? 0 : 1;
    }
}
