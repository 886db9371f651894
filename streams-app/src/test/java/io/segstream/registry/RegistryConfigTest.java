package io.segstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {

    @Test
    void readsSeveralUrlsInOrderAndTheDefaults() {
        RegistryConfig config = new RegistryConfig(Map.of(RegistryConfig.URL, "http://a:8081, https://b:8081/ccompat"));

        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("https://b:8081/ccompat"));
        assertThat(config.inMemoryName()).isEmpty();
        assertThat(config.retries()).isEqualTo(5);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.basicAuthUserInfo()).isEmpty();
    }

    @Test
    void memSchemeNamesAnInMemoryRegistry() {
        assertThat(new RegistryConfig(Map.of(RegistryConfig.URL, "mem://demo")).inMemoryName()).contains("demo");
    }

    @Test
    void aMissingUrlSaysWhichKeyToSet() {
        assertThatThrownBy(() -> new RegistryConfig(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void anUnsupportedSchemeSaysWhatWouldWork() {
        assertThatThrownBy(() -> new RegistryConfig(Map.of(RegistryConfig.URL, "ftp://registry:21")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value ftp://registry:21 for configuration schema.registry.url: "
                        + "use http://HOST:PORT[/PATH], https://..., or mem://NAME for the in-memory registry");
        assertThatThrownBy(() -> new RegistryConfig(Map.of(RegistryConfig.URL, "localhost:8081")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void aNegativeRetryCountIsRejected() {
        assertThatThrownBy(() -> new RegistryConfig(Map.of(RegistryConfig.URL, "http://a", RegistryConfig.RETRIES, "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.retries");
    }
}
