package io.segstream.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Settings of the schema registry client: which registry, how to authenticate, how hard to retry. */
public final class RegistryConfig extends AbstractConfig {

    public static final String URL = "schema.registry.url";
    public static final String BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRIES = "schema.registry.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String MISSING_ID_CACHE_MS = "schema.registry.missing.id.cache.ms";
    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

    /** The scheme that selects the in-process registry of the embedded mode and the unit tests. */
    public static final String IN_MEMORY_SCHEME = "mem";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(URL, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Schema registry speaking the Confluent REST API: one or more http(s) URLs, comma-separated "
                            + "(tried in order when one is unreachable), or mem://NAME for an in-process registry "
                            + "shared by everything in this JVM that names the same NAME.")
            .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
                    "USER:PASSWORD for HTTP basic authentication against the registry; empty for none.")
            .define(REQUEST_TIMEOUT_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Timeout of one registry HTTP request, in milliseconds.")
            .define(RETRIES, Type.INT, 5, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Retries after a connection error or a 502/503/504 answer before giving up.")
            .define(RETRY_BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "First wait between retries, in milliseconds; doubles per retry.")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "Longest wait between retries, in milliseconds.")
            .define(MISSING_ID_CACHE_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                    "How long an id the registry does not know is remembered as unknown, so a burst of "
                            + "corrupt records does not become a burst of registry calls.")
            .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                    "Trust store with the certificates (or CA) of an https registry that the JVM's default trust "
                            + "does not know; empty uses the JVM's default.")
            .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Password of the registry trust store.")
            .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "PKCS12", Importance.LOW, "Type of the registry trust store (PKCS12, JKS).");

    public RegistryConfig(Map<?, ?> originals) {
        super(DEFINITION, originals, false);
        if (getList(URL).isEmpty()) {
            throw new ConfigException(URL, "", "set it to the registry's URL, e.g. http://localhost:8081, or mem://NAME");
        }
        for (URI uri : urls()) {
            String scheme = uri.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme) && !IN_MEMORY_SCHEME.equals(scheme)) {
                throw new ConfigException(URL, uri.toString(),
                        "use http://HOST:PORT[/PATH], https://..., or mem://NAME for the in-memory registry");
            }
        }
        if (inMemoryName().isPresent() && urls().size() > 1) {
            throw new ConfigException(URL, getList(URL), "mem:// cannot be combined with other registry URLs");
        }
    }

    /** The configured registry base URLs, in the order they are tried. */
    public List<URI> urls() {
        return getList(URL).stream().map(RegistryConfig::parseUri).toList();
    }

    /** The in-memory registry's name when {@code mem://NAME} is configured. */
    public Optional<String> inMemoryName() {
        URI first = urls().get(0);
        if (!IN_MEMORY_SCHEME.equals(first.getScheme())) {
            return Optional.empty();
        }
        String name = first.getAuthority() != null ? first.getAuthority() : first.getSchemeSpecificPart();
        return Optional.of(name == null ? "" : name.replaceFirst("^//", ""));
    }

    public Optional<String> basicAuthUserInfo() {
        Password password = getPassword(BASIC_AUTH_USER_INFO);
        return password == null || password.value().isBlank() ? Optional.empty() : Optional.of(password.value());
    }

    /**
     * The TLS context that trusts schema.registry.ssl.truststore.location, or empty for the JVM's
     * default trust. A store that cannot be opened is a configuration error naming the key.
     */
    public Optional<SSLContext> sslContext() {
        String location = getString(SSL_TRUSTSTORE_LOCATION);
        if (location == null || location.isBlank()) {
            return Optional.empty();
        }
        Password password = getPassword(SSL_TRUSTSTORE_PASSWORD);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(getString(SSL_TRUSTSTORE_TYPE));
            store.load(in, password == null ? null : password.value().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return Optional.of(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(SSL_TRUSTSTORE_LOCATION, location, "cannot open it as a "
                    + getString(SSL_TRUSTSTORE_TYPE) + " trust store with " + SSL_TRUSTSTORE_PASSWORD + " (" + e.getMessage() + ")");
        }
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(getLong(REQUEST_TIMEOUT_MS));
    }

    public int retries() {
        return getInt(RETRIES);
    }

    public Duration retryBackoff() {
        return Duration.ofMillis(getLong(RETRY_BACKOFF_MS));
    }

    public Duration retryBackoffMax() {
        return Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS));
    }

    public Duration missingIdCacheTime() {
        return Duration.ofMillis(getLong(MISSING_ID_CACHE_MS));
    }

    private static URI parseUri(String value) {
        try {
            URI uri = URI.create(value.trim());
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("no scheme");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(URL, value,
                    "not a URL (" + e.getMessage() + "); use http://HOST:PORT or mem://NAME");
        }
    }
}
