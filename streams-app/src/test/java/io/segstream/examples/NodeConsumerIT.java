package io.segstream.examples;

import static io.segstream.testing.Definitions.segment;
import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.click;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.app.SegStreamApp;
import io.segstream.avro.ClickEventType;
import io.segstream.config.Topics;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.KafkaTopics;
import io.segstream.testing.PipelineSetup;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The third-party consumer of examples/node-consumer (kafkajs and the Confluent schema registry client
 * from the npm registry, installed from its lockfile) decodes what a real pipeline wrote to
 * segments.changes, segments.membership and cart.abandoned through the real registry.
 */
@ExtendWith(RealInfrastructure.class)
class NodeConsumerIT {

    private static final Path EXAMPLE = Path.of("..", "examples", "node-consumer").toAbsolutePath().normalize();
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void decodesEveryOutputTopicOfARealPipeline(EmbeddedKafkaBroker kafka, ApicurioRegistry registry) throws Exception {
        installDependencies();
        PipelineSetup pipeline = PipelineSetup.create(kafka, registry);
        pipeline.publish(segment("cart-holders", "cart.items > 0", 1).build());
        Topics topics = pipeline.topics();

        try (SegStreamApp app = new SegStreamApp(pipeline.config(), pipeline.registry())) {
            app.start();
            // Another visitor 40 minutes later moves stream time past u1's abandonment deadline.
            pipeline.sendClicks(add("e1", "u1", "sku-1", 2, "19.99", T0),
                    click("e2", "other", ClickEventType.PAGE_VIEW, T0.plus(Duration.ofMinutes(40))).build());
            for (String topic : List.of(topics.segmentChanges(), topics.segmentMembership(), topics.cartAbandoned())) {
                KafkaTopics.consume(kafka, topic, new ByteArrayDeserializer(), 1);
            }
        }

        List<JsonNode> decoded = runConsumer(kafka, registry, String.join(",", topics.segmentChanges(),
                topics.segmentMembership(), topics.cartAbandoned()));

        assertThat(decoded).extracting(record -> record.path("topic").asText()).containsExactlyInAnyOrder(
                topics.segmentChanges(), topics.segmentMembership(), topics.cartAbandoned());
        assertThat(decoded).allSatisfy(record -> assertThat(record.path("key").asText()).isEqualTo("u1"));

        JsonNode change = valueOf(decoded, topics.segmentChanges());
        assertThat(change.path("userId").asText()).isEqualTo("u1");
        assertThat(change.path("segment").asText()).isEqualTo("cart-holders");
        assertThat(change.path("kind").asText()).isEqualTo("ENTERED");
        assertThat(change.path("trigger").asText()).isEqualTo("EVENT");
        assertThat(change.path("eventTime").asText()).isEqualTo("2026-11-20T10:00:00.000Z");
        assertThat(change.path("definitionVersion").asLong()).isEqualTo(1);
        assertThat(change.path("features")).isEqualTo(JSON.readTree("{\"cart.items\": {\"long\": 2}}"));
        assertThat(Instant.parse(change.path("emittedAt").asText())).isAfter(T0);

        JsonNode membership = valueOf(decoded, topics.segmentMembership());
        assertThat(membership).isEqualTo(JSON.readTree("""
                {"userId": "u1", "updatedAt": "2026-11-20T10:00:00.000Z",
                 "segments": [{"segment": "cart-holders", "definitionVersion": 1, "since": "2026-11-20T10:00:00.000Z"}]}
                """));

        JsonNode abandoned = valueOf(decoded, topics.cartAbandoned());
        assertThat(abandoned).isEqualTo(JSON.readTree("""
                {"userId": "u1", "sessionId": "s-u1", "currency": "EUR",
                 "lines": [{"productId": "sku-1", "category": "cat-sku-1", "quantity": 2, "unitPrice": "19.9900"}],
                 "cartValue": "39.9800",
                 "lastActivity": "2026-11-20T10:00:00.000Z", "abandonedAt": "2026-11-20T10:30:00.000Z"}
                """));
    }

    private static JsonNode valueOf(List<JsonNode> records, String topic) {
        return records.stream().filter(record -> record.path("topic").asText().equals(topic)).findFirst()
                .orElseThrow().path("value");
    }

    /** {@code npm ci} from the committed lockfile, once per checkout (and again when the lockfile changes). */
    private static void installDependencies() throws Exception {
        Path installed = EXAMPLE.resolve("node_modules").resolve(".package-lock.json");
        if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(
                Files.getLastModifiedTime(EXAMPLE.resolve("package-lock.json"))) >= 0) {
            return;
        }
        run(List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(5));
    }

    private static List<JsonNode> runConsumer(EmbeddedKafkaBroker kafka, ApicurioRegistry registry, String topicList)
            throws Exception {
        String output = run(List.of("node", "consume.js", "--brokers", kafka.bootstrapServers(),
                "--registry", registry.url(), "--topics", topicList, "--group", "node-it-" + TestConfigs.suffix(),
                "--from-beginning", "--idle-exit-ms", "8000"), Duration.ofMinutes(2));
        List<JsonNode> records = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.isBlank()) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    /** Runs a command in the example's folder; its stdout, or a failure with its stderr. */
    private static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile("node-consumer-", ".out");
        Path errors = Files.createTempFile("node-consumer-", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(EXAMPLE.toFile())
                    .redirectOutput(output.toFile()).redirectError(errors.toFile()).start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            String stderr = Files.readString(errors);
            assertThat(finished).as(command + " did not finish within " + timeout + ": " + stderr).isTrue();
            assertThat(process.exitValue()).as(command + " failed: " + stderr).isZero();
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }
}
