package io.segstream.topology;

import io.segstream.config.SegStreamConfig;
import org.apache.kafka.streams.StreamsConfig;

/** When a user's segments are decided after their events ({@code segments.evaluate}). */
public enum EvaluationTiming {
    /** After each event. */
    EVENT,
    /**
     * Once per commit, for all of the user's events since the last one, just before the commit: under
     * exactly-once the changes become visible to read_committed consumers at that commit either way.
     */
    COMMIT;

    /** The timing {@code config} asks for; {@code auto} is COMMIT under {@code processingGuarantee} exactly_once_v2. */
    public static EvaluationTiming of(SegStreamConfig config, String processingGuarantee) {
        return switch (config.getString(SegStreamConfig.SEGMENTS_EVALUATE)) {
            case "event" -> EVENT;
            case "commit" -> COMMIT;
            default -> StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee) ? COMMIT : EVENT;
        };
    }
}
