package io.segstream.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a crash under exactly-once, Kafka Streams cannot trust a task's local stores: a task
 * directory without a {@code .checkpoint} file (deleted while the task runs, written on a clean
 * close) holds writes that may belong to an aborted transaction, so Streams opens every store of
 * it at start-up, finds no checkpoint, and wipes and restores the task from its changelogs. This
 * applies the same rule before Streams starts, so the restarted instance does not spend seconds
 * opening RocksDB stores only to throw them away. Task directories with a checkpoint, the global
 * stores and the process metadata are left alone.
 */
final class UncommittedState {

    private static final Logger log = LoggerFactory.getLogger(UncommittedState.class);
    private static final Pattern TASK_DIRECTORY = Pattern.compile("\\d+_\\d+");
    private static final String CHECKPOINT = ".checkpoint";

    private UncommittedState() {}

    /** Removes the task directories under {@code applicationDirectory} that a crash left without a checkpoint. */
    static List<String> discard(Path applicationDirectory) {
        List<String> discarded = new ArrayList<>();
        if (!Files.isDirectory(applicationDirectory)) {
            return discarded;
        }
        try (Stream<Path> tasks = Files.list(applicationDirectory)) {
            for (Path task : tasks.sorted().toList()) {
                String name = task.getFileName().toString();
                if (Files.isDirectory(task) && TASK_DIRECTORY.matcher(name).matches()
                        && !Files.exists(task.resolve(CHECKPOINT)) && hasStores(task)) {
                    deleteRecursively(task);
                    discarded.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the state directory " + applicationDirectory, e);
        }
        if (!discarded.isEmpty()) {
            log.info("The last run did not shut down cleanly: under exactly-once the state of tasks {} is rebuilt from "
                    + "their changelogs; removed their uncommitted local state up front", discarded);
        }
        return discarded;
    }

    private static boolean hasStores(Path task) throws IOException {
        try (Stream<Path> entries = Files.list(task)) {
            return entries.anyMatch(Files::isDirectory);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
