package io.segstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.segstream.config.SegStreamConfig;
import io.segstream.segments.SegmentFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/k8s as the API server would take it: every manifest of the base, and everything kustomize
 * renders from the base and the example overlay, is read by the Kubernetes API's own models (the
 * official Java client, generated from the API's OpenAPI schema: unknown fields, missing required
 * fields and wrong types fail); and the pieces fit each other and SegStream (names, selectors, ports,
 * probes on the health routes, the configuration loads, the segment files are the samples).
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("..", "deploy", "k8s");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    /** The Kubernetes model reading each kind (its fromJson validates against the API's schema). */
    private static Object read(JsonNode manifest) throws IOException {
        String json = JSON.writeValueAsString(manifest);
        return switch (manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText()) {
            case "v1/ConfigMap" -> V1ConfigMap.fromJson(json);
            case "v1/Service" -> V1Service.fromJson(json);
            case "v1/Namespace" -> V1Namespace.fromJson(json);
            case "apps/v1/StatefulSet" -> V1StatefulSet.fromJson(json);
            case "batch/v1/Job" -> V1Job.fromJson(json);
            case "policy/v1/PodDisruptionBudget" -> V1PodDisruptionBudget.fromJson(json);
            default -> throw new AssertionError("no model for " + manifest.path("apiVersion") + " " + manifest.path("kind"));
        };
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(new StringReader(yaml))) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(document -> {
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            });
        }
        return documents;
    }

    @Test
    void everyBaseManifestIsValidForTheKubernetesApi() throws IOException {
        JsonNode kustomization = YAML.readTree(K8S.resolve("base/kustomization.yaml").toFile());
        List<String> kinds = new ArrayList<>();
        for (JsonNode resource : kustomization.path("resources")) {
            for (JsonNode manifest : documents(Files.readString(K8S.resolve("base").resolve(resource.asText())))) {
                read(manifest);
                kinds.add(manifest.path("kind").asText());
            }
        }
        assertThat(kinds).containsExactlyInAnyOrder("StatefulSet", "Service", "Service", "PodDisruptionBudget", "Job");
    }

    @Test
    void theModelsRejectWhatTheApiServerWould() throws IOException {
        JsonNode statefulSet = documents(Files.readString(K8S.resolve("base/statefulset.yaml"))).get(0);
        ObjectNode misspelt = statefulSet.deepCopy();
        ((ObjectNode) misspelt.path("spec")).set("replica", misspelt.path("spec").path("replicas"));
        assertThatThrownBy(() -> read(misspelt)).hasMessageContaining("replica");
        ObjectNode unnamed = statefulSet.deepCopy();
        ((ObjectNode) unnamed.path("spec").path("template").path("spec").path("containers").get(0)).remove("name");
        assertThatThrownBy(() -> read(unnamed)).hasMessageContaining("name");
    }

    @Test
    void theBaseRendersIntoPiecesThatFitEachOtherAndSegStream() throws Exception {
        Map<String, JsonNode> rendered = render("base");
        V1StatefulSet statefulSet = V1StatefulSet.fromJson(json(rendered, "StatefulSet/segstream"));
        V1Service headless = V1Service.fromJson(json(rendered, "Service/segstream-headless"));
        V1Service api = V1Service.fromJson(json(rendered, "Service/segstream-api"));
        V1PodDisruptionBudget budget = V1PodDisruptionBudget.fromJson(json(rendered, "PodDisruptionBudget/segstream"));
        V1Job setup = V1Job.fromJson(json(rendered, "Job/segstream-setup"));
        Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();

        // Stable names: the headless Service is the StatefulSet's, selects its pods, and keeps names while not ready.
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo("segstream-headless");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
        assertThat(podLabels).containsAllEntriesOf(headless.getSpec().getSelector())
                .containsAllEntriesOf(api.getSpec().getSelector())
                .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels())
                .containsAllEntriesOf(statefulSet.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMaxUnavailable().getIntValue()).isEqualTo(1);

        // The configuration the pods mount loads, with the standby replica, and matches the pod's port and volume.
        V1ConfigMap config = configMap(rendered, "segstream-config");
        Path properties = Files.createTempFile("segstream", ".properties");
        Files.writeString(properties, config.getData().get("segstream.properties"));
        SegStreamConfig settings = SegStreamConfig.load(properties, Map.of());
        Files.delete(properties);
        Properties raw = new Properties();
        raw.load(new StringReader(config.getData().get("segstream.properties")));
        assertThat(raw.getProperty("num.standby.replicas")).isEqualTo("1");
        V1PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        V1Container container = pod.getContainers().get(0);
        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(settings.getInt(SegStreamConfig.API_PORT));
        assertThat(settings.getString(SegStreamConfig.API_BIND_ADDRESS)).isEqualTo("0.0.0.0");
        assertThat(container.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo(statefulSet.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName());
            assertThat(mount.getMountPath()).isEqualTo(raw.getProperty("state.dir"));
        });
        assertThat(pod.getVolumes()).anySatisfy(volume -> assertThat(volume.getConfigMap().getName())
                .isEqualTo(config.getMetadata().getName()));
        assertThat(container.getEnv()).anySatisfy(env -> {
            assertThat(env.getName()).isEqualTo("SEGSTREAM_APPLICATION_SERVER");
            assertThat(env.getValue()).isEqualTo("$(POD_NAME).segstream-headless.$(POD_NAMESPACE).svc:7070");
        });

        // Probes on the health routes; a clean leave within the grace period.
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(Files.readString(Path.of("..", "README.md"))).contains("| `GET /health/ready` |", "| `GET /health/live` |");
        assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "5");
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(5 + 30);

        // The setup Job creates the topics, then publishes exactly the sample definitions.
        V1PodSpec job = setup.getSpec().getTemplate().getSpec();
        assertThat(job.getInitContainers().get(0).getArgs()).startsWith("topics", "create");
        assertThat(job.getContainers().get(0).getArgs()).startsWith("segments", "apply").endsWith("/etc/segstream-segments");
        V1ConfigMap segments = configMap(rendered, "segstream-segments");
        try (Stream<Path> samples = Files.list(Path.of("..", "deploy", "segments"))) {
            Map<String, String> expected = new HashMap<>();
            for (Path sample : samples.toList()) {
                expected.put(sample.getFileName().toString(), Files.readString(sample, StandardCharsets.UTF_8));
            }
            assertThat(segments.getData()).isEqualTo(expected);
        }
        List<Path> copies;
        try (Stream<Path> files = Files.list(K8S.resolve("base/segments"))) {
            copies = files.sorted().toList();
        }
        assertThat(SegmentFiles.read(copies).problems()).isEmpty();
    }

    @Test
    void theExampleOverlaySetsNamespaceImageClusterAndSizes() throws Exception {
        Map<String, JsonNode> rendered = render("overlays/example");
        assertThat(rendered).containsKey("Namespace/segstream");
        rendered.values().stream().filter(manifest -> !manifest.path("kind").asText().equals("Namespace"))
                .forEach(manifest -> assertThat(manifest.path("metadata").path("namespace").asText())
                        .as(manifest.path("kind").asText()).isEqualTo("segstream"));
        V1StatefulSet statefulSet = V1StatefulSet.fromJson(json(rendered, "StatefulSet/segstream"));
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(6);
        V1Container container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("registry.example.com/segstream:0.1.0");
        assertThat(container.getResources().getLimits().get("memory").toSuffixedString()).isEqualTo("8Gi");
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests()
                .get("storage").toSuffixedString()).isEqualTo("50Gi");
        V1ConfigMap environment = configMap(rendered, "segstream-env");
        assertThat(environment.getData()).containsEntry("SEGSTREAM_BOOTSTRAP_SERVERS", "my-cluster-kafka-bootstrap.kafka.svc:9092");
        assertThat(container.getEnvFrom().get(0).getConfigMapRef().getName()).isEqualTo(environment.getMetadata().getName());
        V1Job setup = V1Job.fromJson(json(rendered, "Job/segstream-setup"));
        assertThat(setup.getSpec().getTemplate().getSpec().getInitContainers().get(0).getEnvFrom().get(0).getConfigMapRef()
                .getName()).isEqualTo(environment.getMetadata().getName());
    }

    /**
     * kubectl kustomize of {@code directory}, every document read by its Kubernetes model, by kind/name
     * (generated ConfigMaps by their name without the hash suffix). Needs kubectl: CI has it (deploy/check
     * renders the same); elsewhere these checks are skipped when it is missing.
     */
    private static Map<String, JsonNode> render(String directory) throws Exception {
        boolean kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(folder -> Files.isExecutable(Path.of(folder, "kubectl")));
        if (!kubectl && System.getenv("CI") != null) {
            throw new AssertionError("kubectl (kustomize) is needed to render deploy/k8s in CI");
        }
        assumeTrue(kubectl, "kubectl is not installed: the rendered kustomizations are checked in CI");
        Path output = Files.createTempFile("kustomize", ".yaml");
        Process process = new ProcessBuilder("kubectl", "kustomize", K8S.resolve(directory).toString())
                .redirectOutput(output.toFile()).redirectErrorStream(false).start();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(errors).isZero();
        Map<String, JsonNode> rendered = new HashMap<>();
        for (JsonNode manifest : documents(Files.readString(output))) {
            read(manifest);
            String name = manifest.path("metadata").path("name").asText();
            if (manifest.path("kind").asText().equals("ConfigMap")) {
                name = name.replaceFirst("-[a-z0-9]{10}$", "");
            }
            rendered.put(manifest.path("kind").asText() + "/" + name, manifest);
        }
        Files.delete(output);
        return rendered;
    }

    private static String json(Map<String, JsonNode> rendered, String key) throws IOException {
        assertThat(rendered).containsKey(key);
        return JSON.writeValueAsString(rendered.get(key));
    }

    private static V1ConfigMap configMap(Map<String, JsonNode> rendered, String name) throws IOException {
        return V1ConfigMap.fromJson(json(rendered, "ConfigMap/" + name));
    }
}
