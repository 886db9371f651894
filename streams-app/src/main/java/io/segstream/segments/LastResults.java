package io.segstream.segments;

import io.segstream.facts.Facts;
import java.util.Arrays;
import java.util.Objects;

/**
 * One user's last evaluation against one catalog snapshot: the value of every fact a condition of
 * the snapshot reads, and each condition's result. An evaluation first compares the facts (a few
 * dozen at most, however many definitions there are) and marks only the conditions that read a
 * changed fact ({@link SegmentCatalog.Snapshot#readers}); every other condition keeps its result
 * without being looked at again: a condition is a pure function of the facts it reads. Held with
 * the user's decoded membership, never encoded; a new snapshot starts it over.
 */
final class LastResults {

    private SegmentCatalog.Snapshot snapshot;
    /** By fact position in {@link Facts#ALL}: the value last seen, for the facts the snapshot reads. */
    private Object[] values;
    private boolean[] results;
    /** Conditions whose facts changed since they were last evaluated. */
    private boolean[] stale;

    /** Compares {@code input}'s facts with the last ones and marks the conditions that read a changed fact. */
    void refresh(SegmentCatalog.Snapshot catalog, Facts.Input input) {
        if (catalog != snapshot) {
            snapshot = catalog;
            values = new Object[Facts.ALL.size()];
            results = new boolean[catalog.slots()];
            stale = new boolean[catalog.slots()];
            Arrays.fill(stale, true);
            for (int fact : catalog.factsRead()) {
                values[fact] = input.value(fact);
            }
            return;
        }
        for (int fact : catalog.factsRead()) {
            Object value = input.value(fact);
            if (!Objects.equals(value, values[fact])) {
                values[fact] = value;
                for (int slot : catalog.readers(fact)) {
                    stale[slot] = true;
                }
            }
        }
    }

    /** Whether the condition in {@code slot} holds for the input of the last {@link #refresh}. */
    boolean test(int slot, Condition condition, Facts.Input input) {
        if (stale[slot]) {
            results[slot] = condition.test(input);
            stale[slot] = false;
        }
        return results[slot];
    }
}
