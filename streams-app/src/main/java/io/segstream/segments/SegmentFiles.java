package io.segstream.segments;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.segstream.avro.SegmentDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads segment definition files and checks them offline: every field known, every condition
 * compiling against the facts, names unique, exclusive groups well formed. Errors name the file,
 * the segment and the problem.
 */
public final class SegmentFiles {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** A file's content: a list of segments under {@code segments:}. */
    record FileContent(List<SegmentSpec> segments) {
        @JsonCreator
        FileContent(@JsonProperty(value = "segments", required = true) List<SegmentSpec> segments) {
            this.segments = segments == null ? List.of() : List.copyOf(segments);
        }
    }

    /** A problem in one file (and segment, when known). */
    public record Problem(Path file, String segment, String message) {
        @Override
        public String toString() {
            return file + (segment == null ? "" : ": segment '" + segment + "'") + ": " + message;
        }
    }

    /** What reading a set of files gave: the segments, compiled, or the problems found. */
    public record Result(List<SegmentSpec> segments, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private SegmentFiles() {}

    /** The definition files named: files as given, directories as their *.yaml / *.yml files, sorted. */
    public static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (java.util.stream.Stream<Path> listed = Files.list(path)) {
                    listed.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                            .sorted().forEach(files::add);
                }
            } else {
                files.add(path);
            }
        }
        return files;
    }

    /** Reads and checks {@code files} together (names and groups must be consistent across them). */
    public static Result read(List<Path> files) {
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        List<Problem> unreadable = new ArrayList<>();
        for (Path file : files) {
            try {
                contents.put(file, Files.readAllBytes(file));
            } catch (IOException e) {
                unreadable.add(new Problem(file, null, "cannot read: " + e.getMessage()));
            }
        }
        Result result = parse(contents);
        List<Problem> problems = new ArrayList<>(unreadable);
        problems.addAll(result.problems());
        return new Result(result.segments(), problems);
    }

    /** Checks definition files' contents (YAML or JSON, by the name they are reported under) together. */
    public static Result parse(Map<Path, byte[]> contents) {
        List<SegmentSpec> segments = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<String, Path> origin = new HashMap<>();
        contents.forEach((file, content) -> {
            List<SegmentSpec> specs;
            try {
                specs = YAML.readValue(content, FileContent.class).segments();
            } catch (UnrecognizedPropertyException e) {
                problems.add(new Problem(file, null, "unknown field '" + e.getPropertyName() + "' at line "
                        + e.getLocation().getLineNr() + "; known fields: " + e.getKnownPropertyIds()));
                return;
            } catch (JsonProcessingException e) {
                problems.add(new Problem(file, null, e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()));
                return;
            } catch (IOException e) {
                problems.add(new Problem(file, null, "cannot read: " + e.getMessage()));
                return;
            }
            for (SegmentSpec spec : specs) {
                Path earlier = origin.putIfAbsent(spec.name(), file);
                if (earlier != null) {
                    problems.add(new Problem(file, spec.name(), "defined twice (also in " + earlier + ")"));
                    continue;
                }
                check(spec).forEach(message -> problems.add(new Problem(file, spec.name(), message)));
                segments.add(spec);
            }
        });
        checkGroups(segments, origin, problems);
        return new Result(segments, problems);
    }

    /** The problems of one segment on its own: name, condition, output topic. */
    static List<String> check(SegmentSpec spec) {
        List<String> messages = new ArrayList<>();
        if (!NAME.matcher(spec.name()).matches()) {
            messages.add("name must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        try {
            Conditions.compile(spec.condition());
        } catch (InvalidDefinitionException e) {
            messages.add(e.getMessage());
        }
        if (spec.fallback() && spec.exclusiveGroup() == null) {
            messages.add("fallback: true needs an exclusiveGroup");
        }
        if (spec.outputTopic() != null && !spec.outputTopic().matches("[a-zA-Z0-9._-]{1,249}")) {
            messages.add("outputTopic '" + spec.outputTopic() + "' is not a valid Kafka topic name");
        }
        return messages;
    }

    private static void checkGroups(List<SegmentSpec> segments, Map<String, Path> origin, List<Problem> problems) {
        Map<String, SegmentSpec> fallbacks = new HashMap<>();
        for (SegmentSpec spec : segments) {
            if (spec.fallback()) {
                SegmentSpec other = fallbacks.putIfAbsent(spec.exclusiveGroup(), spec);
                if (other != null) {
                    problems.add(new Problem(origin.get(spec.name()), spec.name(), "group '" + spec.exclusiveGroup()
                            + "' already has the fallback '" + other.name() + "'; a group has at most one"));
                }
            }
        }
    }

    /** The pipeline's record of {@code spec} at {@code version}. */
    public static SegmentDefinition toDefinition(SegmentSpec spec, long version, Instant updatedAt) {
        return SegmentDefinition.newBuilder()
                .setName(spec.name())
                .setDescription(spec.description())
                .setCondition(spec.condition())
                .setPriority(spec.priority())
                .setExclusiveGroup(spec.exclusiveGroup())
                .setFallback(spec.fallback())
                .setOutputTopic(spec.outputTopic())
                .setRequiresConsent(spec.requiresConsent())
                .setVersion(version)
                .setUpdatedAt(updatedAt)
                .build();
    }

    /** Whether {@code definition} says the same as {@code spec} (so applying it again changes nothing). */
    public static boolean sameContent(SegmentDefinition definition, SegmentSpec spec) {
        return toDefinition(spec, definition.getVersion(), definition.getUpdatedAt()).equals(definition);
    }
}
