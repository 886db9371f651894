package io.segstream.replay;

import java.util.Map;
import java.util.TreeMap;

/** What a replay read, produced and skipped (by reason). */
public final class ReplaySummary {

    private long rows;
    private long clicks;
    private long orders;
    private final Map<String, Long> skipped = new TreeMap<>();

    void row() {
        rows++;
    }

    void click() {
        clicks++;
    }

    void order() {
        orders++;
    }

    void skip(String reason) {
        skipped.merge(reason, 1L, Long::sum);
    }

    public long rows() {
        return rows;
    }

    public long clicks() {
        return clicks;
    }

    public long orders() {
        return orders;
    }

    public Map<String, Long> skipped() {
        return skipped;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(String.format("rows read %,d; records produced %,d (%,d clicks, %,d orders)",
                rows, clicks + orders, clicks, orders));
        skipped.forEach((reason, count) -> text.append(String.format("%n  skipped %,d: %s", count, reason)));
        return text.toString();
    }
}
