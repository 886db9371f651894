package io.segstream.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.config.SegStreamConfig;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import io.segstream.registry.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README documents every config key and every fact a condition can read. */
class ReadmeTest {

    private static String readme() throws Exception {
        return Files.readString(Path.of("..", "README.md"));
    }

    @Test
    void everyConfigKeyIsDocumented() throws Exception {
        String readme = readme();

        assertThat(SegStreamConfig.DEFINITION.names()).allSatisfy(key -> assertThat(readme).contains("`" + key + "`"));
        assertThat(RegistryConfig.DEFINITION.names()).allSatisfy(key -> assertThat(readme).contains("`" + key + "`"));
        assertThat(readme).contains("`auto.register.schemas`");
    }

    @Test
    void everyFactIsDocumented() throws Exception {
        String readme = readme();

        assertThat(Facts.ALL).extracting(Fact::name).allSatisfy(name ->
                assertThat(readme.contains("`" + name + "`") || readme.contains("`" + name + "`, ")
                        || readme.contains(", `" + name + "`")).as(name).isTrue());
    }
}
