package io.segstream.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of every thread of this JVM, the JVM's own (garbage collector, JIT compilers) included, read
 * from Linux's /proc/self/task: where a JVM's CPU went between two snapshots. Elsewhere it is empty.
 */
final class ThreadTimes {

    /**
     * The JIT compilers' share of a core at or below which the JVM counts as warmed up: the drains' warm-up
     * rounds and the live traffic's warm-up go on while the compilers use more.
     */
    static final double QUIET_COMPILERS_SHARE = 0.1;

    /** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100;

    private final Map<String, Long> ticksByThread;

    private ThreadTimes(Map<String, Long> ticksByThread) {
        this.ticksByThread = ticksByThread;
    }

    static ThreadTimes now() {
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // pid (comm) state ppid ... utime stime: comm may hold spaces, so fields count from its ')'.
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(stat.indexOf('(') + 1, close);
                    String[] fields = stat.substring(close + 2).split(" ");
                    ticks.put(task.getFileName() + " " + comm, Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                } catch (IOException | RuntimeException e) {
                    // The thread ended between the listing and the read.
                }
            });
        } catch (IOException e) {
            return new ThreadTimes(Map.of());
        }
        return new ThreadTimes(ticks);
    }

    /**
     * The CPU time (ns) the JIT compiler threads ("C1 CompilerThread0", "C2 CompilerThread1", ...) used so far: on
     * two cores they take a core from the pipelines for minutes after a start, compiling what the drains made hot.
     */
    long compilersCpuNanos() {
        long ticks = 0;
        for (Map.Entry<String, Long> thread : ticksByThread.entrySet()) {
            String name = thread.getKey().substring(thread.getKey().indexOf(' ') + 1);
            if (name.matches("C[12] CompilerThre.*")) {
                ticks += thread.getValue();
            }
        }
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /**
     * The threads that used the most CPU since {@code before}, grouped by name without numbers (the
     * kernel keeps 15 characters of a name), as "name µs" per {@code events}.
     */
    String busiestSince(ThreadTimes before, double events, int limit) {
        Map<String, Long> byGroup = new HashMap<>();
        ticksByThread.forEach((thread, ticks) -> {
            String group = thread.substring(thread.indexOf(' ') + 1).replaceAll("[0-9]+", "#");
            byGroup.merge(group, ticks - before.ticksByThread.getOrDefault(thread, 0L), Long::sum);
        });
        List<String> busiest = byGroup.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .map(entry -> String.format("%s %.1f", entry.getKey(), entry.getValue() * 1e6 / TICKS_PER_SECOND / events))
                .toList();
        return String.join(", ", busiest);
    }
}
