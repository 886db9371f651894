package io.segstream.testing;

import io.segstream.local.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for integration tests: one real Kafka broker and one real schema registry per
 * test JVM, started on first use (in parallel), shared by every test class, and stopped when the
 * JVM's tests are done. Test methods and constructors receive them as parameters.
 */
public final class RealInfrastructure implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealInfrastructure.class);
    private static final String WORK_DIR_PROPERTY = "segstream.it.workdir";

    /** The shared servers; the root store closes them after the last test class. */
    static final class Servers implements AutoCloseable {
        final EmbeddedKafkaBroker kafka;
        final ApicurioRegistry registry;

        private Servers(EmbeddedKafkaBroker kafka, ApicurioRegistry registry) {
            this.kafka = kafka;
            this.registry = registry;
        }

        static Servers start() {
            Path workDir = Path.of(System.getProperty(WORK_DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
            CompletableFuture<ApicurioRegistry> registry = CompletableFuture.supplyAsync(() -> ApicurioRegistry.start(workDir));
            EmbeddedKafkaBroker kafka;
            try {
                // The tests' events carry fixed dates (November 2026): under the default 7 days of
                // time-based retention the broker's retention check (30 s after its start, then every
                // 5 min) deletes them from the input topics as soon as they are older than that,
                // sometimes before a test has read them again. OldEventsIT measures that retention on a
                // broker of its own.
                kafka = EmbeddedKafkaBroker.start(null, Map.of("log.retention.ms", "-1"));
            } catch (RuntimeException e) {
                registry.thenAccept(ApicurioRegistry::close);
                throw e;
            }
            try {
                return new Servers(kafka, registry.join());
            } catch (CompletionException e) {
                kafka.close();
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }

        @Override
        public void close() {
            try {
                registry.close();
            } finally {
                kafka.close();
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        servers(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedKafkaBroker.class || type == ApicurioRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Servers servers = servers(context);
        return parameter.getParameter().getType() == EmbeddedKafkaBroker.class ? servers.kafka : servers.registry;
    }

    private static Servers servers(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Servers.class, ignored -> Servers.start(), Servers.class);
    }
}
