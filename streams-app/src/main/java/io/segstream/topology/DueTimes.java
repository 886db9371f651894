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
 * change of the user's second in place, not a move in the index. The processor keeps the user's
 * {@link Slot} with their decoded state and hands it back, so that an event does not look the user up
 * in the map either (a lookup that reads the user's key and entry, scattered over the heap).
 */
final class DueTimes {

    private static final long SECOND_MS = 1_000;

    private final Map<String, Slot> slotByUser = new HashMap<>();
    private final TreeMap<Long, Set<String>> usersBySecond = new TreeMap<>();

    /** A user's second, changed in place; while filed, the one slot of the map for that user. */
    static final class Slot {
        private long second;
        private boolean filed = true;

        private Slot(long second) {
            this.second = second;
        }
    }

    /** Schedules {@code user} at {@code due} (epoch ms), replacing their earlier time; {@link Long#MAX_VALUE} = never. */
    void schedule(String user, long due) {
        schedule(user, null, due);
    }

    /**
     * {@link #schedule(String, long)}, given the slot this returned for {@code user} before (or null): returns
     * the user's slot now (null when never), to be given with their next schedule.
     */
    Slot schedule(String user, Slot known, long due) {
        Slot slot = known != null && known.filed ? known : slotByUser.get(user);
        if (due == Long.MAX_VALUE) {
            // A look at an earlier second finds no time and drops the user.
            if (slot != null) {
                slotByUser.remove(user);
                slot.filed = false;
            }
            return null;
        }
        long second = Math.floorDiv(due, SECOND_MS) + (Math.floorMod(due, SECOND_MS) == 0 ? 0 : 1);
        if (slot == null) {
            slot = new Slot(second);
            slotByUser.put(user, slot);
            file(user, second);
        } else {
            long previous = slot.second;
            slot.second = second;
            if (second < previous) {
                file(user, second);
            }
        }
        return slot;
    }

    /** Forgets {@code user} (erased). */
    void forget(String user) {
        schedule(user, Long.MAX_VALUE);
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
                Slot scheduled = slotByUser.get(user);
                if (scheduled == null) {
                    continue;
                }
                if (scheduled.second * SECOND_MS <= now) {
                    slotByUser.remove(user);
                    scheduled.filed = false;
                    due.add(user);
                } else if (scheduled.second > earliest.getKey()) {
                    file(user, scheduled.second);
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
        return slotByUser.size();
    }

    /** The time {@code user} is scheduled at (the start of a second), or null. */
    Long dueAt(String user) {
        Slot scheduled = slotByUser.get(user);
        return scheduled == null ? null : scheduled.second * SECOND_MS;
    }

    private void file(String user, long second) {
        usersBySecond.computeIfAbsent(second, s -> new HashSet<>()).add(user);
    }
}
