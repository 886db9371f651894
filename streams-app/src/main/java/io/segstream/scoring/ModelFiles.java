package io.segstream.scoring;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segstream.avro.Model;
import io.segstream.avro.ModelFeature;
import io.segstream.avro.ModelKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Models as JSON files, the form {@code segstream models train} writes and {@code models apply}
 * publishes: {@code name}, {@code kind}, {@code version}, {@code parameters}, {@code features},
 * {@code provenance}, {@code trainedAt} (ISO-8601).
 */
public final class ModelFiles {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** A model's file form. */
    record File(String name, String kind, String version, Map<String, Double> parameters, List<IntentModel.Feature> features,
            Map<String, String> provenance, String trainedAt) {
        @JsonCreator
        File(@JsonProperty(value = "name", required = true) String name,
                @JsonProperty(value = "kind", required = true) String kind,
                @JsonProperty(value = "version", required = true) String version,
                @JsonProperty("parameters") Map<String, Double> parameters,
                @JsonProperty("features") List<IntentModel.Feature> features,
                @JsonProperty("provenance") Map<String, String> provenance,
                @JsonProperty(value = "trainedAt", required = true) String trainedAt) {
            this.name = name;
            this.kind = kind;
            this.version = version;
            this.parameters = parameters == null ? Map.of() : new TreeMap<>(parameters);
            this.features = features == null ? List.of() : List.copyOf(features);
            this.provenance = provenance == null ? Map.of() : new TreeMap<>(provenance);
            this.trainedAt = trainedAt;
        }
    }

    private ModelFiles() {}

    /** The model in {@code file}, checked usable; a clear error naming the file and what is wrong. */
    public static Model read(Path file) {
        try {
            return parse(Files.readAllBytes(file));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot use model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The model in {@code json} (the file form), checked usable; a clear error saying what is wrong. */
    public static Model parse(byte[] json) throws IOException {
        Model model = toModel(JSON.readValue(json, File.class));
        ModelCatalog.validate(model);
        return model;
    }

    /** {@code model} in its file form. */
    public static String json(Model model) {
        File file = new File(model.getName(), model.getKind().name(), model.getVersion(), model.getParameters(),
                model.getFeatures().stream().map(feature -> new IntentModel.Feature(feature.getFact(), feature.getMean(),
                        feature.getScale(), feature.getWeight())).toList(),
                model.getProvenance(), model.getTrainedAt().toString());
        try {
            return JSON.writeValueAsString(file);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write model " + model.getName() + " as JSON", e);
        }
    }

    /** Writes {@code model} to {@code file} in its file form. */
    public static void write(Model model, Path file) throws IOException {
        Files.writeString(file, json(model) + System.lineSeparator());
    }

    private static Model toModel(File file) {
        ModelKind kind;
        try {
            kind = ModelKind.valueOf(file.kind());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kind '" + file.kind() + "' is not one of CLV_BGNBD_GAMMA_GAMMA, INTENT_LOGISTIC");
        }
        Instant trainedAt;
        try {
            trainedAt = Instant.parse(file.trainedAt());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("trainedAt '" + file.trainedAt() + "' is not an ISO-8601 instant "
                    + "(e.g. 2026-12-03T10:00:00Z)");
        }
        return Model.newBuilder()
                .setName(file.name())
                .setKind(kind)
                .setVersion(file.version())
                .setParameters(Map.copyOf(file.parameters()))
                .setFeatures(file.features().stream().map(feature -> ModelFeature.newBuilder().setFact(feature.fact())
                        .setMean(feature.mean()).setScale(feature.scale()).setWeight(feature.weight()).build()).toList())
                .setProvenance(Map.copyOf(file.provenance()))
                .setTrainedAt(trainedAt)
                .build();
    }
}
