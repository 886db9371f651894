package io.segstream.features;

import java.util.Locale;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/** What "now" is for recency, abandonment deadlines and window expiry (config key {@code time.mode}). */
public enum TimeMode {
    /** The wall clock: live operation; deadlines fire even when no records arrive. */
    WALL,
    /** The largest event time this task has seen: replayed history gives the results it would have given live. */
    STREAM;

    public static TimeMode parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    public long now(ProcessorContext<?, ?> context) {
        return this == WALL ? context.currentSystemTimeMs() : context.currentStreamTimeMs();
    }

    /** The punctuation clock that advances this mode's "now". */
    public PunctuationType punctuationType() {
        return this == WALL ? PunctuationType.WALL_CLOCK_TIME : PunctuationType.STREAM_TIME;
    }
}
