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
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = SegStreamCli.execute(args);
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString(StandardCharsets.UTF_8).strip();
        assertThat(code).as(String.join(" ", args) + ": " + printed).isZero();
        return printed;
    }
}
