package io.segstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/observability as Grafana and Prometheus read it: the dashboard against the JSON Schema of
 * Grafana's dashboard model and laid out without overlaps; every alert with a severity, a summary and a
 * description, and explained in the README. (promtool checks the rules' syntax and behaviour in CI,
 * and ObservabilityIT that every metric they name is exported.)
 */
class ObservabilityFilesTest {

    static final Path OBSERVABILITY = Path.of("..", "deploy", "observability");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([a-zA-Z_][a-zA-Z0-9_]*)");
    private static final Set<String> GRAFANA_VARIABLES = Set.of("__rate_interval", "__interval", "__range");

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(OBSERVABILITY.resolve("dashboard.json").toFile());
    }

    static JsonNode alerts() throws IOException {
        return new YAMLMapper().readTree(OBSERVABILITY.resolve("alerts.yml").toFile());
    }

    private static Set<ValidationMessage> schemaErrors(JsonNode dashboard) throws IOException {
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(JSON.readTree(OBSERVABILITY.resolve("dashboard.schema.json").toFile()));
        return schema.validate(dashboard);
    }

    @Test
    void theDashboardFollowsGrafanasDashboardModel() throws IOException {
        assertThat(schemaErrors(dashboard())).isEmpty();

        ObjectNode misspelt = (ObjectNode) dashboard().deepCopy();
        ((ObjectNode) misspelt.path("panels").get(0).path("targets").get(0)).set("exp", misspelt.path("panels").get(0)
                .path("targets").get(0).path("expr"));
        misspelt.put("schemaVersoin", 39);
        assertThat(schemaErrors(misspelt)).extracting(ValidationMessage::getMessage).anySatisfy(message ->
                assertThat(message).contains("schemaVersoin")).anySatisfy(message -> assertThat(message).contains("exp"));
    }

    @Test
    void panelsHaveUniqueIdsFitTheGridAndDoNotOverlap() throws IOException {
        List<int[]> placed = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard().path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel id %s", panel.path("id")).isTrue();
            JsonNode grid = panel.path("gridPos");
            int[] box = {grid.path("x").asInt(), grid.path("y").asInt(), grid.path("w").asInt(), grid.path("h").asInt()};
            assertThat(box[0] + box[2]).as(panel.path("title").asText()).isLessThanOrEqualTo(24);
            for (int[] other : placed) {
                boolean overlap = box[0] < other[0] + other[2] && other[0] < box[0] + box[2]
                        && box[1] < other[1] + other[3] && other[1] < box[1] + box[3];
                assertThat(overlap).as(panel.path("title").asText() + " overlaps another panel").isFalse();
            }
            placed.add(box);
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(refIds.add(target.path("refId").asText())).isTrue();
            }
        }
    }

    @Test
    void everyVariableTheDashboardUsesIsDefined() throws IOException {
        JsonNode dashboard = dashboard();
        Set<String> defined = new HashSet<>(GRAFANA_VARIABLES);
        dashboard.path("templating").path("list").forEach(variable -> defined.add(variable.path("name").asText()));
        Matcher used = VARIABLE.matcher(dashboard.path("panels").toString());
        int uses = 0;
        while (used.find()) {
            assertThat(defined).as("variable $" + used.group(1)).contains(used.group(1));
            uses++;
        }
        assertThat(uses).isGreaterThan(dashboard.path("panels").size());
    }

    @Test
    void metricNamesAreReadOffPromQlWithoutFunctionsLabelsOrVariables() {
        assertThat(PromQl.metricNames("sum by (job, instance) (segstream_input_lag_records{job=~\"$job\"}) > 1e4\n"
                + "and sum without(partition) (deriv(segstream_input_lag_records[10m])) > 0 or on(instance) "
                + "rate(kafka_stream_thread_commit_total[$__rate_interval]) * 60 / ignoring(x) up offset 5m"))
                .containsExactly("kafka_stream_thread_commit_total", "segstream_input_lag_records", "up");
    }

    @Test
    void everyAlertHasASeverityASummaryADescriptionAndIsExplainedInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> names = new ArrayList<>();
        for (JsonNode group : alerts().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                names.add(name);
                assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
                assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
                assertThat(readme).as("README explains " + name).contains("`" + name + "`");
            }
        }
        assertThat(names).contains("SegStreamConsumerLagGrowing", "SegStreamDeadLettersHigh",
                "SegStreamStreamThreadReplaced", "SegStreamNotRunning", "SegStreamRestoreTakingLong");
    }
}
