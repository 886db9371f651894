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
 */
final class DueTimes {

    private static final long SECOND_MS = 1_000;

    private final Map<String, Long> secondByUser = new HashMap<>();
    private final TreeMap<Long, Set<String>> usersBySecond = new TreeMap<>();

    /** Schedules {@code user} at {@code due} (epoch ms), replacing their earlier time; {@link Long#MAX_VALUE} = never. */
    void schedule(String user, long due) {
        long second = due == Long.MAX_VALUE ? Long.MAX_VALUE : Math.floorDiv(due + SECOND_MS - 1, SECOND_MS);
        Long previous = second == Long.MAX_VALUE ? secondByUser.remove(user) : secondByUser.put(user, second);
        if (previous != null && previous == second) {
            return;
        }
        if (previous != null) {
            Set<String> users = usersBySecond.get(previous);
            users.remove(user);
            if (users.isEmpty()) {
                usersBySecond.remove(previous);
            }
        }
        if (second != Long.MAX_VALUE) {
            usersBySecond.computeIfAbsent(second, s -> new HashSet<>()).add(user);
        }
    }

    /** Forgets {@code user} (erased). */
    void forget(String user) {
        schedule(user, Long.MAX_VALUE);
    }

    /** Removes and returns up to {@code max} users due at or before {@code now}, earliest first. */
    List<String> takeDue(long now, int max) {
        List<String> due = new ArrayList<>();
        while (due.size() < max && !usersBySecond.isEmpty() && usersBySecond.firstKey() * SECOND_MS <= now) {
            Set<String> users = usersBySecond.firstEntry().getValue();
            Iterator<String> each = users.iterator();
            while (due.size() < max && each.hasNext()) {
                String user = each.next();
                each.remove();
                secondByUser.remove(user);
                due.add(user);
            }
            if (users.isEmpty()) {
                usersBySecond.pollFirstEntry();
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
        Long second = secondByUser.get(user);
        return second == null ? null : second * SECOND_MS;
    }
}
