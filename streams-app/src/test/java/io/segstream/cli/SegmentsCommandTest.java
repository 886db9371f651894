package io.segstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentsCommandTest {

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = SegStreamCli.execute(args);
            return new Run(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void theShippedSampleDefinitionsAreValid() throws Exception {
        Path samples = Path.of("..", "deploy", "segments");
        String[] args = Files.list(samples).filter(path -> path.toString().endsWith(".yaml")).sorted()
                .map(Path::toString).toArray(String[]::new);

        Run run = run(concat("segments", "validate", args));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("9 segment(s) are valid." + System.lineSeparator());
    }

    @Test
    void aDirectoryStandsForTheDefinitionFilesInIt() {
        Run run = run("segments", "validate", Path.of("..", "deploy", "segments").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("9 segment(s) are valid." + System.lineSeparator());
    }

    @Test
    void anInvalidDefinitionIsRejectedNamingTheFileTheSegmentAndTheProblem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                segments:
                  - name: whales
                    condition: rfm.monetary > 'lots'
                """);
        Path unknown = dir.resolve("unknown.yaml");
        Files.writeString(unknown, """
                segments:
                  - name: vip
                    condition: rfm.frequency > 10
                    priorty: 5
                """);

        Run run = run("segments", "validate", file.toString(), unknown.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(file + ": segment 'whales': condition does not compile:")
                .contains("found no matching overload for '_>_' applied to '(double, string)'")
                .contains(unknown + ": unknown field 'priorty' at line 5");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aPreviewChecksTheDraftsFirstAndSaysWhenNoPipelineAnswers(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.yaml"), "segments:\n  - name: b\n    condition: rfm.monetry > 1\n");
        Path good = Files.writeString(dir.resolve("good.yaml"), "segments:\n  - name: g\n    condition: rfm.frequency > 1\n");
        String api = "http://127.0.0.1:" + io.segstream.local.Ports.freeLoopbackPort();

        Run invalid = run("segments", "preview", bad.toString(), "--api", api);
        Run unreachable = run("segments", "preview", good.toString(), "--api", api);

        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.err()).contains(bad + ": segment 'b': condition does not compile")
                .contains("'rfm.monetry' is not a fact; did you mean 'rfm.monetary'?");
        // Without --api nor --config: the API a default configuration describes.
        Run defaults = run("segments", "preview", good.toString());
        assertThat(defaults.exitCode()).isEqualTo(1);
        assertThat(defaults.err()).contains("cannot reach the API at http://127.0.0.1:7070");
        // With a configuration: the instance it advertises to the others.
        int advertised = io.segstream.local.Ports.freeLoopbackPort();
        Path config = Files.writeString(dir.resolve("segstream.properties"), "application.server=127.0.0.1:" + advertised
                + "\napi.port=" + advertised + "\n");
        Run configured = run("segments", "preview", good.toString(), "--config", config.toString());
        assertThat(configured.err()).contains("cannot reach the API at http://127.0.0.1:" + advertised + " ");
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.err()).contains("segstream preview failed: cannot reach the API at " + api
                + " (is a pipeline running there? --api URL)");
    }

    private static String[] concat(String first, String second, String[] rest) {
        String[] all = new String[rest.length + 2];
        all[0] = first;
        all[1] = second;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }
}
