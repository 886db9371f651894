package io.segstream.testing;

import io.segstream.local.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Kafka broker in a process of its own, for chaos tests that kill it: {@code DATA_DIR PORT
 * CONTROLLER_PORT [key=value ...]}. Prints {@code READY} when it serves; SIGTERM stops it cleanly.
 */
public final class BrokerMain {

    private BrokerMain() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            String[] setting = args[i].split("=", 2);
            overrides.put(setting[0], setting[1]);
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), overrides, Integer.parseInt(args[1]),
                Integer.parseInt(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println("READY " + broker.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }
}
