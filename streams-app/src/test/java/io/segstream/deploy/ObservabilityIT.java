package io.segstream.deploy;

import static io.segstream.testing.Definitions.segment;
import static io.segstream.testing.Events.add;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.segstream.app.SegStreamApp;
import io.segstream.avro.ClickEvent;
import io.segstream.config.StoreNames;
import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.testing.ApicurioRegistry;
import io.segstream.testing.Instances;
import io.segstream.testing.PipelineSetup;
import io.segstream.testing.RealInfrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every metric the alert rules and the dashboard of deploy/observability read is exported by a running
 * pipeline's GET /metrics, with the labels they group by; and the new instance metrics (lag, store
 * sizes, restoration, running) say what they should.
 */
@ExtendWith(RealInfrastructure.class)
class ObservabilityIT {

    /** Produced by Prometheus itself for every scrape target, not by SegStream. */
    private static final Set<String> FROM_PROMETHEUS = Set.of("up");
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? ", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    private static final Pattern GROUPED_BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)\\s*\\(([^()]*\\(?\\s*([a-zA-Z_:][a-zA-Z0-9_:]*))");

    @Test
    void everyMetricTheAlertsAndTheDashboardReadIsExported(EmbeddedKafkaBroker kafka, ApicurioRegistry registry)
            throws Exception {
        PipelineSetup pipeline = PipelineSetup.create(kafka, registry);
        pipeline.publish(segment("cart-holders", "cart.items > 0", 1).build());

        Map<String, Set<String>> read = new TreeMap<>();
        for (JsonNode group : ObservabilityFilesTest.alerts().path("groups")) {
            group.path("rules").forEach(rule -> record(read, rule.path("expr").asText()));
        }
        for (JsonNode panel : ObservabilityFilesTest.dashboard().path("panels")) {
            panel.path("targets").forEach(target -> record(read, target.path("expr").asText()));
        }
        assertThat(read).hasSizeGreaterThan(12);

        try (SegStreamApp app = new SegStreamApp(pipeline.config(), pipeline.registry())) {
            Instances.startWithTasks(app);
            pipeline.sendClicks(IntStream.range(0, 5).mapToObj(i -> add("e" + i, "u" + i, "sku-1", 1, "5.00",
                    Instant.parse("2026-11-20T10:00:00Z").plusSeconds(i))).toArray(ClickEvent[]::new));
            pipeline.sendRaw("bad", "not avro".getBytes(StandardCharsets.UTF_8));
            String api = "http://127.0.0.1:" + app.apiPort();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String scrape = get(api + "/metrics");
                assertThat(scrape).contains("segstream_events_processed_total 5.0")
                        .contains("segstream_instance_running 1.0")
                        .containsPattern("segstream_input_lag_records\\{partition=\"0\",topic=\"" + Pattern.quote(
                                pipeline.topics().clickstream()) + "\"} 0.0")
                        .contains("segstream_restore_remaining_records{store=\"users\"} 0.0");
                // Kafka Streams' store metrics of key-value and window stores alike (one tag key names the store).
                for (String store : StoreNames.ALL) {
                    assertThat(scrape).as("RocksDB metrics of store %s", store)
                            .containsPattern("kafka_stream_state_estimate_num_keys\\{[^}]*store=\"" + store + "\"");
                }
                Map<String, Set<String>> exported = exported(scrape);
                read.forEach((metric, labels) -> {
                    if (!FROM_PROMETHEUS.contains(metric)) {
                        assertThat(exported).as("metric %s", metric).containsKey(metric);
                        assertThat(exported.get(metric)).as("labels of %s", metric).containsAll(labels);
                    }
                });
            });
            Matcher usersBytes = Pattern.compile("segstream_state_store_bytes\\{store=\"users\"} ([0-9.E]+)")
                    .matcher(get(api + "/metrics"));
            assertThat(usersBytes.find()).isTrue();
            assertThat(Double.parseDouble(usersBytes.group(1))).isGreaterThan(0);
        }
    }

    /** Each metric an expression reads, with the labels it groups that metric by. */
    private static void record(Map<String, Set<String>> read, String expression) {
        PromQl.metricNames(expression).forEach(metric -> read.computeIfAbsent(metric, name -> new TreeSet<>()));
        Matcher grouped = GROUPED_BY.matcher(expression);
        while (grouped.find()) {
            Set<String> labels = read.get(grouped.group(3));
            if (labels != null) {
                for (String label : grouped.group(1).split(",")) {
                    if (!label.isBlank() && !Set.of("job", "instance").contains(label.strip())) {
                        labels.add(label.strip());
                    }
                }
            }
        }
    }

    /** Metric name to the label names its samples carry (a counter also under its name without _total). */
    private static Map<String, Set<String>> exported(String scrape) {
        Map<String, Set<String>> exported = new TreeMap<>();
        Matcher sample = SAMPLE.matcher(scrape);
        while (sample.find()) {
            Set<String> labels = exported.computeIfAbsent(sample.group(1), name -> new TreeSet<>());
            if (sample.group(3) != null) {
                Matcher label = LABEL.matcher(sample.group(3));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
        return exported;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
