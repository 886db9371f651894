package io.segstream.segments;

import io.segstream.facts.Facts;
import java.util.Arrays;

/**
 * One user's last evaluation of each condition of one catalog snapshot: the values of the facts it
 * read, and its result. A condition none of whose facts changed since (a page view changes no cart
 * or interest fact, an order no session fact) is not evaluated again: a condition is a pure function
 * of those values. Held with the user's decoded membership, never encoded; a new snapshot starts
 * it over.
 */
final class LastResults {

    private SegmentCatalog.Snapshot snapshot;
    private Object[][] values;
    private boolean[] results;

    /** Whether the condition in {@code slot} of {@code catalog} holds for {@code input}. */
    boolean test(SegmentCatalog.Snapshot catalog, int slot, Condition condition, Facts.Input input) {
        if (catalog != snapshot) {
            snapshot = catalog;
            values = new Object[catalog.slots()][];
            results = new boolean[catalog.slots()];
        }
        Object[] read = condition.values(input);
        if (values[slot] != null && Arrays.equals(values[slot], read)) {
            return results[slot];
        }
        boolean result = condition.test(input, read);
        values[slot] = read;
        results[slot] = result;
        return result;
    }
}
