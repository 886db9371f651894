package io.segstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM child process on the test's class path (a pipeline or a broker that a chaos test kills),
 * its output appended to a log file. {@link #kill()} is {@code kill -9}; {@link #stop()} is SIGTERM.
 */
public final class ChildProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    /** Where this process's lines start in its log, which runs of the same pipeline append to. */
    private final long logStart;

    private ChildProcess(Process process, Path log, long logStart) {
        this.process = process;
        this.log = log;
        this.logStart = logStart;
    }

    public static ChildProcess start(Class<?> main, List<String> arguments, Path log) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(arguments);
        try {
            Files.createDirectories(log.getParent());
            long logStart = logSize(log);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ChildProcess(process, log, logStart);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + main.getName(), e);
        }
    }

    /** Waits until the log shows {@code line}, failing if the process dies or {@code timeout} passes. */
    public void awaitLog(String line, long fromByte, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!logSince(fromByte).contains(line)) {
            if (!process.isAlive()) {
                throw new AssertionError(log + ": the process exited (" + process.exitValue() + ") before '" + line + "'");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(log + ": no '" + line + "' within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** The log's size now: pass it to {@link #awaitLog} to wait for a line written after this point. */
    public static long logSize(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long fromByte) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            return new String(bytes, (int) Math.min(fromByte, bytes.length), (int) Math.max(0, bytes.length - fromByte),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The first group of the first line this process logged that matches {@code pattern}, or null (the log may be shared). */
    public String findInOwnLog(java.util.regex.Pattern pattern) {
        return findInLog(pattern, logStart);
    }

    /** The first group of the first log line (from {@code fromByte} on) that matches {@code pattern}, or null. */
    public String findInLog(java.util.regex.Pattern pattern, long fromByte) {
        java.util.regex.Matcher matcher = pattern.matcher(logSince(fromByte));
        return matcher.find() ? matcher.group(1) : null;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no clean close. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the process to exit on its own. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
