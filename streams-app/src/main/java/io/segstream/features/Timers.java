package io.segstream.features;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Time-driven work (store {@code timers}): keys sort by due time, so the punctuator reads only the
 * timers that are due. Key: 19-digit zero-padded due time, kind, user. Offline replays (model
 * training) keep the same timers in memory.
 */
public final class Timers {

    public enum Kind { CART_ABANDON }

    public record Due(long due, Kind kind, String user) {}

    private static final char SEPARATOR = '|';

    /** Where timers are kept: the pipeline's store, or memory. */
    private interface Keeper {
        boolean has(String key);

        void put(String key, String user);

        void delete(String key);

        /** Every timer with a key up to {@code last}, in key order. */
        List<KeyValue<String, String>> upTo(String last);
    }

    private final Keeper keeper;

    private Timers(Keeper keeper) {
        this.keeper = keeper;
    }

    /** Timers kept in the pipeline's {@code timers} store. */
    static Timers in(KeyValueStore<String, String> store) {
        return new Timers(new Keeper() {
            @Override
            public boolean has(String key) {
                return store.get(key) != null;
            }

            @Override
            public void put(String key, String user) {
                store.put(key, user);
            }

            @Override
            public void delete(String key) {
                store.delete(key);
            }

            @Override
            public List<KeyValue<String, String>> upTo(String last) {
                List<KeyValue<String, String>> entries = new ArrayList<>();
                try (KeyValueIterator<String, String> range = store.range(pad(0), last)) {
                    range.forEachRemaining(entries::add);
                }
                return entries;
            }
        });
    }

    /** Timers kept in memory, for a replay without Kafka. */
    static Timers inMemory() {
        TreeMap<String, String> timers = new TreeMap<>();
        return new Timers(new Keeper() {
            @Override
            public boolean has(String key) {
                return timers.containsKey(key);
            }

            @Override
            public void put(String key, String user) {
                timers.put(key, user);
            }

            @Override
            public void delete(String key) {
                timers.remove(key);
            }

            @Override
            public List<KeyValue<String, String>> upTo(String last) {
                return timers.headMap(last, true).entrySet().stream()
                        .map(entry -> KeyValue.pair(entry.getKey(), entry.getValue())).toList();
            }
        });
    }

    void schedule(Kind kind, String user, long due) {
        keeper.put(key(due, kind, user), user);
    }

    /** Schedules the timer unless it is kept already; returns whether it was missing. */
    boolean scheduleIfMissing(Kind kind, String user, long due) {
        String key = key(due, kind, user);
        if (keeper.has(key)) {
            return false;
        }
        keeper.put(key, user);
        return true;
    }

    void cancel(Kind kind, String user, long due) {
        keeper.delete(key(due, kind, user));
    }

    /** Timers due at or before {@code now}, earliest first. */
    List<Due> dueBy(long now) {
        List<Due> due = new ArrayList<>();
        if (now < 0) {
            return due;
        }
        for (KeyValue<String, String> entry : keeper.upTo(pad(now) + SEPARATOR + Character.MAX_VALUE)) {
            String[] parts = entry.key.split("\\|", 3);
            due.add(new Due(Long.parseLong(parts[0]), Kind.valueOf(parts[1]), entry.value));
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
