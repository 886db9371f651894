package io.segstream.testing;

import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.avro.UserSegments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the outputs as a downstream tool does: each user's segments implied by their changes
 * (ENTERED adds, EXITED removes), the last membership record per user, and each user's sequence
 * of changes per segment. Computed from the topics alone, never from the pipeline's code.
 */
public final class Memberships {

    private Memberships() {}

    /** Each user's segments according to their change events, in topic order; fails on a change that contradicts the one before. */
    public static Map<String, Set<String>> impliedByChanges(List<ConsumerRecord<String, SegmentChange>> changes,
            List<String> contradictions) {
        Map<String, Set<String>> members = new TreeMap<>();
        for (ConsumerRecord<String, SegmentChange> record : changes) {
            SegmentChange change = record.value();
            Set<String> segments = members.computeIfAbsent(record.key(), user -> new TreeSet<>());
            boolean changed = change.getKind() == SegmentChangeKind.ENTERED
                    ? segments.add(change.getSegment())
                    : segments.remove(change.getSegment());
            if (!changed) {
                contradictions.add(record.key() + " " + change.getKind() + " " + change.getSegment() + " at offset "
                        + record.offset());
            }
        }
        members.values().removeIf(Set::isEmpty);
        return members;
    }

    /** The segments of each user's last membership record (users whose last record is empty are left out). */
    public static Map<String, Set<String>> lastRecorded(List<ConsumerRecord<String, UserSegments>> memberships) {
        Map<String, Set<String>> last = new TreeMap<>();
        for (ConsumerRecord<String, UserSegments> record : memberships) {
            Set<String> segments = new TreeSet<>();
            if (record.value() != null) {
                record.value().getSegments().forEach(membership -> segments.add(membership.getSegment()));
            }
            last.put(record.key(), segments);
        }
        last.values().removeIf(Set::isEmpty);
        return last;
    }

    /** Per user and segment, the kinds of their changes in order ("ENTERED EXITED ENTERED"). */
    public static Map<String, List<String>> sequences(List<ConsumerRecord<String, SegmentChange>> changes) {
        Map<String, List<String>> sequences = new TreeMap<>();
        for (ConsumerRecord<String, SegmentChange> record : changes) {
            sequences.computeIfAbsent(record.key() + "/" + record.value().getSegment(), key -> new ArrayList<>())
                    .add(record.value().getKind().name());
        }
        return sequences;
    }

    /** The changes of one user, with their segments, triggers and event times, for reports. */
    public static List<String> historyOf(List<ConsumerRecord<String, SegmentChange>> changes, String user) {
        List<String> history = new ArrayList<>();
        for (ConsumerRecord<String, SegmentChange> record : changes) {
            if (record.key().equals(user)) {
                history.add(record.value().getKind() + " " + record.value().getSegment() + " by " + record.value().getTrigger()
                        + " at " + record.value().getEventTime());
            }
        }
        return history;
    }

    /** The changes of one "user/segment" key, with their triggers and event times, for reports. */
    public static List<String> history(List<ConsumerRecord<String, SegmentChange>> changes, String key) {
        List<String> history = new ArrayList<>();
        for (ConsumerRecord<String, SegmentChange> record : changes) {
            if ((record.key() + "/" + record.value().getSegment()).equals(key)) {
                history.add(record.value().getKind() + " by " + record.value().getTrigger() + " at " + record.value().getEventTime());
            }
        }
        return history;
    }
}
