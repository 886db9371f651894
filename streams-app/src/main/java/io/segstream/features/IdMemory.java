package io.segstream.features;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Ids remembered in a window store at their own time, one entry per id, for de-duplication of
 * things that must count once and are rare enough to afford a store round trip (orders, privacy
 * requests). An id is a repeat when it was seen within the retention of its time, before or after.
 *
 * <p>An id is remembered when what it changed is kept: its write to the store waits for the caller's
 * moment (the write of the user's state that counted it), and until then it is seen from memory.
 * Under at-least-once a crash loses what was not written and the input that made it comes again;
 * an id written before the change would drop that input as a duplicate, and the change would be lost.
 */
public final class IdMemory {

    private final WindowStore<String, Long> store;
    private final long retentionMs;
    /** Ids remembered and not written to the store yet, with their times. */
    private final Map<String, Long> unwritten = new HashMap<>();

    public IdMemory(WindowStore<String, Long> store, long retentionMs) {
        this.store = store;
        this.retentionMs = retentionMs;
    }

    /** Whether {@code id} at {@code time} (epoch ms) was remembered before, within the retention of its time. */
    public boolean seen(String id, long time) {
        Long waiting = unwritten.isEmpty() ? null : unwritten.get(id);
        if (waiting != null && Math.abs(waiting - time) <= retentionMs) {
            return true;
        }
        // The epoch-millisecond fetch: the Instant one formats a validation message on every call.
        try (WindowStoreIterator<Long> seen = store.fetch(id, time - retentionMs, time + retentionMs)) {
            return seen.hasNext();
        }
    }

    /**
     * Remembers {@code id} at {@code time}: seen from now on, and written to the store when {@code when}
     * runs the write it is handed ({@code Runnable::run} writes it at once).
     */
    public void remember(String id, long time, Consumer<Runnable> when) {
        unwritten.put(id, time);
        when.accept(() -> {
            store.put(id, time, time);
            unwritten.remove(id, time);
        });
    }
}
