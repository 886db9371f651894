package io.segstream.segments;

import io.segstream.avro.SegmentDefinition;
import io.segstream.config.SegStreamConfig;
import io.segstream.config.TopicCreator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Publishes checked segments: new and changed ones get the next version, unchanged ones are left alone. */
public final class SegmentPublisher {

    private SegmentPublisher() {}

    /** Applies {@code segments} and returns one line per segment saying what happened. */
    public static List<String> apply(List<SegmentSpec> segments, SegStreamConfig config, DefinitionTopic topic) {
        Map<String, SegmentDefinition> current = topic.current();
        Instant now = Instant.now();
        List<SegmentDefinition> changed = new ArrayList<>();
        List<String> report = new ArrayList<>();
        for (SegmentSpec segment : segments) {
            SegmentDefinition existing = current.get(segment.name());
            if (existing != null && SegmentFiles.sameContent(existing, segment)) {
                report.add("unchanged  " + segment.name() + " (v" + existing.getVersion() + ")");
                continue;
            }
            long version = existing == null ? 1 : existing.getVersion() + 1;
            changed.add(SegmentFiles.toDefinition(segment, version, now));
            report.add((existing == null ? "created    " : "updated    ") + segment.name() + " (v" + version + ")");
        }
        TopicCreator.createMissing(config, segments.stream().map(SegmentSpec::outputTopic).filter(Objects::nonNull)
                .distinct().toList());
        topic.publish(changed);
        current.keySet().stream().filter(name -> segments.stream().noneMatch(spec -> spec.name().equals(name)))
                .forEach(name -> report.add("not in these files, still live: " + name
                        + " (segstream segments retire " + name + " to remove it)"));
        return report;
    }
}
