package io.segstream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.cli.SegStreamCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process as a user would. */
public final class Cli {

    private Cli() {}

    /** What the command printed, stripped; fails the test on a non-zero exit. */
    public static String run(String... args) {
        return execute(0, false, args);
    }

    /** What the command printed on stderr, stripped; fails the test unless it exits with {@code code}. */
    public static String runFailing(int code, String... args) {
        return execute(code, true, args);
    }

    private static String execute(int expectedCode, boolean stderr, String... args) {
        PrintStream original = stderr ? System.err : System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        int code;
        try {
            if (stderr) {
                System.setErr(capture);
            } else {
                System.setOut(capture);
            }
            code = SegStreamCli.execute(args);
        } finally {
            if (stderr) {
                System.setErr(original);
            } else {
                System.setOut(original);
            }
        }
        String printed = captured.toString(StandardCharsets.UTF_8).strip();
        assertThat(code).as(String.join(" ", args) + ": " + printed).isEqualTo(expectedCode);
        return printed;
    }
}
