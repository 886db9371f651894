package io.segstream.features;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Time-driven work (store {@code timers}): keys sort by due time, so the punctuator reads only the
 * timers that are due. Key: 19-digit zero-padded due time, kind, user.
 */
public final class Timers {

    public enum Kind { CART_ABANDON }

    public record Due(long due, Kind kind, String user) {}

    private static final char SEPARATOR = '|';

    private final KeyValueStore<String, String> store;

    Timers(KeyValueStore<String, String> store) {
        this.store = store;
    }

    void schedule(Kind kind, String user, long due) {
        store.put(key(due, kind, user), user);
    }

    void cancel(Kind kind, String user, long due) {
        store.delete(key(due, kind, user));
    }

    /** Timers due at or before {@code now}, earliest first. */
    List<Due> dueBy(long now) {
        List<Due> due = new ArrayList<>();
        if (now < 0) {
            return due;
        }
        try (KeyValueIterator<String, String> entries = store.range(pad(0), pad(now) + SEPARATOR + Character.MAX_VALUE)) {
            while (entries.hasNext()) {
                KeyValue<String, String> entry = entries.next();
                String[] parts = entry.key.split("\\|", 3);
                due.add(new Due(Long.parseLong(parts[0]), Kind.valueOf(parts[1]), entry.value));
            }
        }
        return due;
    }

    private static String key(long due, Kind kind, String user) {
        return pad(due) + SEPARATOR + kind.name() + SEPARATOR + user;
    }

    private static String pad(long millis) {
        String digits = Long.toString(millis);
        return "0".repeat(Math.max(0, 19 - digits.length())) + digits;
    }
}
