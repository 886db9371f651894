package io.segstream.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * When each of a task's users must be evaluated again because time alone can change one of their
 * conditions (held in memory, by second; a task that starts schedules everyone in its first pass).
 * A user is due at the start of the second their change falls in, never before it.
 *
 * <p>Each user's time is kept in a map; the seconds index only says when to look. A busy user's time
 * moves later with nearly every event (their session ends later), so a later time leaves the index as
 * it is, and the user is filed under the later second when the earlier one comes: an event costs the
 * change of the user's second in place, not a move in the index. The user's {@link Second} is handed
 * to the caller too, to keep with the user's decoded state: given back with the next schedule, it
 * spares the map lookup, a cache miss or two with every event, as the map is as large as the task's users.
 */
final class DueTimes {

    private static final long SECOND_MS = 1_000;

    private final Map<String, Second> secondByUser = new HashMap<>();

    /** A user's second, changed in place; no longer scheduled once taken out of the map. */
    static final class Second {
        private long value;
        private boolean scheduled = true;

        private Second(long value) {
            this.value = value;
        }
    }
    private final TreeMap<Long, Set<String>> usersBySecond = new TreeMap<>();

    /** Schedules {@code user} at {@code due} (epoch ms), replacing their earlier time; {@link Long#MAX_VALUE} = never. */
    void schedule(String user, long due) {
        schedule(user, due, null);
    }

    /**
     * As {@link #schedule(String, long)}, with {@code known}, what this returned for the user before (or
     * null). Returns the user's second to keep for the next time, or null when they are not scheduled.
     */
    Second schedule(String user, long due, Second known) {
        if (due == Long.MAX_VALUE) {
            // A look at an earlier second finds no time and drops the user.
            unschedule(secondByUser.remove(user));
            return null;
        }
        long second = Math.floorDiv(due, SECOND_MS) + (Math.floorMod(due, SECOND_MS) == 0 ? 0 : 1);
        Second scheduled = known != null && known.scheduled ? known : secondByUser.get(user);
        if (scheduled == null) {
            scheduled = new Second(second);
            secondByUser.put(user, scheduled);
            file(user, second);
        } else {
            long previous = scheduled.value;
            scheduled.value = second;
            if (second < previous) {
                file(user, second);
            }
        }
        return scheduled;
    }

    /** Forgets {@code user} (erased). */
    void forget(String user) {
        schedule(user, Long.MAX_VALUE);
    }

    private static void unschedule(Second removed) {
        if (removed != null) {
            removed.scheduled = false;
        }
    }

    /** Removes and returns up to {@code max} users due at or before {@code now}, earliest first. */
    List<String> takeDue(long now, int max) {
        List<String> due = new ArrayList<>();
        while (due.size() < max && !usersBySecond.isEmpty() && usersBySecond.firstKey() * SECOND_MS <= now) {
            Map.Entry<Long, Set<String>> earliest = usersBySecond.firstEntry();
            Iterator<String> each = earliest.getValue().iterator();
            while (due.size() < max && each.hasNext()) {
                String user = each.next();
                each.remove();
                Second scheduled = secondByUser.get(user);
                if (scheduled == null) {
                    continue;
                }
                if (scheduled.value * SECOND_MS <= now) {
                    unschedule(secondByUser.remove(user));
                    due.add(user);
                } else if (scheduled.value > earliest.getKey()) {
                    file(user, scheduled.value);
                }
            }
            if (earliest.getValue().isEmpty()) {
                usersBySecond.remove(earliest.getKey());
            }
        }
        return due;
    }

    /** Users with a time scheduled. */
    int size() {
        return secondByUser.size();
    }

    /** The time {@code user} is scheduled at (the start of a second), or null. */
    Long dueAt(String user) {
        Second scheduled = secondByUser.get(user);
        return scheduled == null ? null : scheduled.value * SECOND_MS;
    }

    private void file(String user, long second) {
        usersBySecond.computeIfAbsent(second, s -> new HashSet<>()).add(user);
    }
}
