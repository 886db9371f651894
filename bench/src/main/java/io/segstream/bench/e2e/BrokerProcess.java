package io.segstream.bench.e2e;

import io.segstream.local.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's broker in a JVM of its own, as a broker runs beside SegStream in production: the
 * broker's request buffers and threads then stay out of the measured JVM's heap and collector, whose
 * pauses are part of SegStream's latency. The child prints its bootstrap address on its first line and
 * stops when its standard input closes, so it never outlives the benchmark.
 */
final class BrokerProcess implements AutoCloseable {

    private static final String READY = "bootstrap.servers=";

    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker with its log in {@code dataDir}, in a child JVM of {@code heap} (a -Xmx value). */
    static BrokerProcess start(Path dataDir, String heap) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xms" + heap);
        command.add("-Xmx" + heap);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerProcess.class.getName());
        command.add(dataDir.toString());
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(READY)) {
                return new BrokerProcess(process, line.substring(READY.length()));
            }
        }
        process.destroyForcibly();
        throw new IOException("The broker process ended before it was ready (exit " + waitFor(process) + "); see its log above");
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The CPU time the broker's process has used so far, in nanoseconds (0 where the platform does not say). */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The child: runs a broker until its standard input closes. */
    public static void main(String[] args) throws IOException {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), Map.of())) {
            System.out.println(READY + broker.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Runs until the benchmark closes the pipe (or ends).
            }
        }
    }
}
