package io.segstream.testing;

import io.segstream.local.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry (in-memory storage) run as a child process on 127.0.0.1, reached through
 * its Confluent-compatible API. The build unpacks the distribution into {@code apicurio.home}.
 */
public final class ApicurioRegistry implements AutoCloseable {

    static final String HOME_PROPERTY = "apicurio.home";
    private static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final int port;
    private final Path logFile;

    private ApicurioRegistry(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /** Starts the registry and waits until its Confluent API answers, with global compatibility BACKWARD. */
    public static ApicurioRegistry start(Path workDir) {
        Path runner = findRunnerJar();
        int port = Ports.freeLoopbackPort();
        Path log = workDir.resolve("apicurio-" + port + ".log");
        Process process;
        try {
            Files.createDirectories(workDir);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(List.of(java, "-Xmx512m",
                    "-Dquarkus.http.host=" + Ports.LOOPBACK,
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.log.console.level=WARN",
                    "-jar", runner.toString()))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Apicurio Registry from " + runner, e);
        }
        ApicurioRegistry registry = new ApicurioRegistry(process, port, log);
        // Never leave an orphan registry behind, even when the test JVM exits without closing it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "apicurio-registry-stop"));
        try {
            registry.awaitReady();
            registry.put("/config", "{\"compatibility\":\"BACKWARD\"}");
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** Base URL of the Confluent-compatible API, the value for {@code schema.registry.url}. */
    public String url() {
        return "http://" + Ports.LOOPBACK + ":" + port + CCOMPAT_PATH;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
            }
            pause();
        }
        throw new IllegalStateException("Apicurio Registry did not answer within " + STARTUP_TIMEOUT + "; see " + logFile);
    }

    private void put(String path, String json) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + path))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path findRunnerJar() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null) {
            throw new IllegalStateException("System property " + HOME_PROPERTY + " is not set: run integration tests "
                    + "with `mvn verify`, which unpacks Apicurio Registry and passes its location");
        }
        try (Stream<Path> files = Files.walk(Path.of(home), 3)) {
            return files.filter(path -> path.getFileName().toString().endsWith("-runner.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("No *-runner.jar under " + home
                            + "; is the apicurio-registry-app distribution unpacked there?"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
