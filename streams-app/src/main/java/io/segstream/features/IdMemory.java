package io.segstream.features;

import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Ids remembered in a window store at their own time, one entry per id, for de-duplication of
 * things that must count once and are rare enough to afford a store round trip (orders, privacy
 * requests). An id is a repeat when it was seen within the retention of its time, before or after.
 */
public final class IdMemory {

    private final WindowStore<String, Long> store;
    private final long retentionMs;

    public IdMemory(WindowStore<String, Long> store, long retentionMs) {
        this.store = store;
        this.retentionMs = retentionMs;
    }

    /** True, and remembered, when {@code id} at {@code time} (epoch ms) is seen for the first time. */
    public boolean firstSeen(String id, long time) {
        // The epoch-millisecond fetch: the Instant one formats a validation message on every call.
        try (WindowStoreIterator<Long> seen = store.fetch(id, time - retentionMs, time + retentionMs)) {
            if (seen.hasNext()) {
                return false;
            }
        }
        store.put(id, time, time);
        return true;
    }
}
