package io.segstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncommittedStateTest {

    @TempDir
    Path app;

    @Test
    void onlyTaskDirectoriesACrashLeftWithoutACheckpointAreRemoved() throws Exception {
        Files.createDirectories(app.resolve("0_0/rocksdb/cart"));
        Files.createDirectories(app.resolve("0_1/rocksdb/cart"));
        Files.writeString(app.resolve("0_1/.checkpoint"), "0\n1\ncart-changelog 1 42\n");
        Files.createDirectories(app.resolve("1_0"));
        Files.createDirectories(app.resolve("global/rocksdb/definitions"));
        Files.writeString(app.resolve("kafka-streams-process-metadata"), "{}");

        assertThat(UncommittedState.discard(app)).containsExactly("0_0");

        assertThat(app.resolve("0_0")).doesNotExist();
        assertThat(app.resolve("0_1/rocksdb/cart")).isDirectory();
        assertThat(app.resolve("1_0")).as("a task directory without stores is left to Kafka Streams").isDirectory();
        assertThat(app.resolve("global/rocksdb/definitions")).isDirectory();
        assertThat(app.resolve("kafka-streams-process-metadata")).exists();
    }

    @Test
    void aStateDirectoryThatDoesNotExistYetIsNothingToDo() {
        assertThat(UncommittedState.discard(app.resolve("never-started"))).isEmpty();
    }
}
