package io.segstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.config.SegStreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad token configuration stops the instance with a message that says what to fix. */
class ApiAuthTest {

    private static ApiAuth auth(Map<String, String> settings) {
        Map<String, String> values = new HashMap<>(settings);
        values.put(SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092");
        return ApiAuth.from(SegStreamConfig.of(values));
    }

    @Test
    void withoutTokensTheApiIsOpen() {
        assertThat(auth(Map.of()).enabled()).isFalse();
        assertThat(auth(Map.of(SegStreamConfig.API_AUTH_TOKENS, "read:0123456789abcdef")).enabled()).isTrue();
    }

    @Test
    void aTokenFileLineThatIsNotRoleAndTokenNamesItsLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "# comment\n\nread 0123456789abcdef\nadmin\n");

        assertThatThrownBy(() -> auth(Map.of(SegStreamConfig.API_AUTH_TOKENS_FILE, file.toString())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("api.auth.tokens.file: line 4 of " + file + " is not 'ROLE TOKEN' (roles: read, admin)");
    }

    @Test
    void anUnknownRoleAShortTokenAndAMissingFileAreRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> auth(Map.of(SegStreamConfig.API_AUTH_TOKENS, "writer:0123456789abcdef")))
                .hasMessage("api.auth.tokens: unknown role 'writer'; roles are read and admin");
        assertThatThrownBy(() -> auth(Map.of(SegStreamConfig.API_AUTH_TOKENS, "read:short")))
                .hasMessage("api.auth.tokens: a token must have at least 16 characters (e.g. openssl rand -hex 24)");
        assertThatThrownBy(() -> auth(Map.of(SegStreamConfig.API_AUTH_TOKENS, "0123456789abcdef")))
                .hasMessageStartingWith("api.auth.tokens has an entry that is not ROLE:TOKEN");
        assertThatThrownBy(() -> auth(Map.of(SegStreamConfig.API_AUTH_TOKENS_FILE, dir.resolve("none").toString())))
                .hasMessageStartingWith("api.auth.tokens.file: cannot read " + dir.resolve("none"));
    }
}
