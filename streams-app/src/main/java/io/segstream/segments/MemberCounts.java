package io.segstream.segments;

import io.segstream.avro.SegmentChangeKind;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Members per segment among the users of an instance's active tasks, kept as membership changes
 * instead of counted by a scan. Each task counts its users once when it starts processing (its
 * store is restored by then) and then applies every ENTERED and EXITED it saves; readers on other
 * threads (the API, metrics) sum the tasks that are counting.
 */
public final class MemberCounts {

    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    /** Starts counting for {@code taskId} from {@code counted} (members per segment); replaces an earlier count of it. */
    public Task start(String taskId, Map<String, Long> counted) {
        Task task = new Task(counted);
        tasks.put(taskId, task);
        return task;
    }

    /** Stops counting {@code taskId} (closed, migrated away), unless a newer count of it has started. */
    public void stop(String taskId, Task task) {
        tasks.remove(taskId, task);
    }

    /** The tasks being counted. */
    public Set<String> tasks() {
        return Set.copyOf(tasks.keySet());
    }

    /** Members per segment over every counted task, sorted by segment; segments with no member are left out. */
    public Map<String, Long> total() {
        Map<String, Long> total = new TreeMap<>();
        for (Task task : tasks.values()) {
            task.members.forEach((segment, members) -> total.merge(segment, members, Long::sum));
        }
        total.values().removeIf(members -> members == 0);
        return total;
    }

    /** Members of {@code segment} over every counted task. */
    public long members(String segment) {
        long members = 0;
        for (Task task : tasks.values()) {
            members += task.members(segment);
        }
        return members;
    }

    /** One task's members per segment; written by its stream thread only. */
    public static final class Task {
        private final Map<String, Long> members = new ConcurrentHashMap<>();

        private Task(Map<String, Long> counted) {
            members.putAll(counted);
        }

        /** Applies changes that were saved with the user's state. */
        public void apply(Iterable<SegmentEvaluator.RoutedChange> changes) {
            for (SegmentEvaluator.RoutedChange routed : changes) {
                long delta = routed.change().getKind() == SegmentChangeKind.ENTERED ? 1 : -1;
                members.merge(routed.change().getSegment(), delta, Long::sum);
            }
        }

        /** This task's members of {@code segment}. */
        public long members(String segment) {
            return members.getOrDefault(segment, 0L);
        }
    }
}
