package io.segstream.topology;

import io.segstream.config.SegStreamConfig;
import java.time.Duration;
import org.apache.kafka.streams.StreamsConfig;

/**
 * When a user's segments are decided after their events ({@code segments.evaluate}): at once, or once
 * for all of their events since the last decision, before each commit and, with {@code interval}, every
 * {@code segments.evaluate.interval} as well (where a user last decided at least that long ago is
 * decided at once).
 *
 * @param kind when they are decided
 * @param interval how often waiting users are decided between commits (INTERVAL), else null
 */
public record EvaluationTiming(Kind kind, Duration interval) {

    /** After each event. */
    public static final EvaluationTiming EVENT = new EvaluationTiming(Kind.EVENT, null);
    /**
     * Once per commit, for all of the user's events since the last one, just before the commit: under
     * exactly-once the changes become visible to read_committed consumers at that commit either way.
     */
    public static final EvaluationTiming COMMIT = new EvaluationTiming(Kind.COMMIT, null);

    public enum Kind { EVENT, COMMIT, INTERVAL }

    public EvaluationTiming {
        if ((kind == Kind.INTERVAL) != (interval != null)) {
            throw new IllegalArgumentException("an interval goes with kind INTERVAL, and only with it");
        }
    }

    /** Every {@code interval} and before each commit, for all of the user's events since their last decision. */
    public static EvaluationTiming every(Duration interval) {
        return new EvaluationTiming(Kind.INTERVAL, interval);
    }

    /** Whether a user's events wait for a later decision (COMMIT, INTERVAL) instead of being decided at once. */
    boolean waits() {
        return kind != Kind.EVENT;
    }

    /**
     * The timing {@code config} asks for; {@code auto} is COMMIT under {@code processingGuarantee} exactly_once_v2
     * and INTERVAL otherwise.
     */
    public static EvaluationTiming of(SegStreamConfig config, String processingGuarantee) {
        EvaluationTiming interval = every(config.duration(SegStreamConfig.SEGMENTS_EVALUATE_INTERVAL));
        return switch (config.getString(SegStreamConfig.SEGMENTS_EVALUATE)) {
            case "event" -> EVENT;
            case "commit" -> COMMIT;
            case "interval" -> interval;
            default -> StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee) ? COMMIT : interval;
        };
    }
}
