package io.segstream.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * A schema registry held in this JVM, with the same id, subject and compatibility semantics as the
 * Confluent API. It serves the embedded mode and unit tests; {@code mem://NAME} names one instance.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private static final Map<String, InMemorySchemaRegistry> NAMED = new ConcurrentHashMap<>();

    private final Map<Schema, Integer> idsBySchema = new HashMap<>();
    private final List<Schema> schemasById = new ArrayList<>();
    private final Map<String, List<Schema>> versionsBySubject = new LinkedHashMap<>();
    private final Map<String, CompatibilityLevel> levelBySubject = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;

    /** The registry named {@code name}, created empty on first use and shared by everyone naming it. */
    public static InMemorySchemaRegistry named(String name) {
        return NAMED.computeIfAbsent(name, ignored -> new InMemorySchemaRegistry());
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Schema> versions = versionsBySubject.computeIfAbsent(subject, ignored -> new ArrayList<>());
        if (versions.contains(schema)) {
            return idsBySchema.get(schema);
        }
        CompatibilityResult result = check(subject, schema);
        if (!result.compatible()) {
            throw new IncompatibleSchemaException("Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\": " + String.join("; ", result.messages()), 409);
        }
        versions.add(schema);
        return idsBySchema.computeIfAbsent(schema, added -> {
            schemasById.add(added);
            return schemasById.size();
        });
    }

    @Override
    public synchronized int lookUp(String subject, Schema schema) {
        List<Schema> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (!versions.contains(schema)) {
            throw new SchemaNotFoundException("Schema not found under subject \"" + subject + "\"", 40403);
        }
        return idsBySchema.get(schema);
    }

    @Override
    public synchronized Schema schemaById(int id) {
        if (id < 1 || id > schemasById.size()) {
            throw new SchemaNotFoundException("Schema " + id + " not found", 40403);
        }
        return schemasById.get(id - 1);
    }

    @Override
    public synchronized CompatibilityResult testCompatibility(String subject, Schema schema) {
        return check(subject, schema);
    }

    @Override
    public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
        if (subject == null) {
            globalLevel = level;
        } else {
            levelBySubject.put(subject, level);
        }
    }

    @Override
    public synchronized List<String> subjects() {
        return versionsBySubject.entrySet().stream()
                .filter(entry -> !entry.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .toList();
    }

    private CompatibilityResult check(String subject, Schema candidate) {
        CompatibilityLevel level = levelBySubject.getOrDefault(subject, globalLevel);
        List<Schema> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (level == CompatibilityLevel.NONE || versions.isEmpty()) {
            return CompatibilityResult.ok();
        }
        List<Schema> earlier = level.transitive() ? versions : List.of(versions.get(versions.size() - 1));
        List<String> messages = new ArrayList<>();
        for (Schema previous : earlier) {
            if (level.checksBackward()) {
                describeIncompatibility(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous),
                        "new schema cannot read data written with an earlier one", messages);
            }
            if (level.checksForward()) {
                describeIncompatibility(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate),
                        "an earlier schema cannot read data written with the new one", messages);
            }
        }
        return new CompatibilityResult(messages.isEmpty(), messages);
    }

    private static void describeIncompatibility(SchemaPairCompatibility pair, String direction, List<String> messages) {
        if (pair.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        pair.getResult().getIncompatibilities().forEach(incompatibility -> messages.add(direction + ": "
                + incompatibility.getType() + " at " + incompatibility.getLocation() + " (" + incompatibility.getMessage() + ")"));
    }
}
