package io.segstream.segments;

import io.segstream.avro.SegmentDefinition;
import io.segstream.facts.Facts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active definitions of this instance, compiled once per version and shared by every task.
 * Updated from the global {@code definitions} store; readers take an immutable {@link Snapshot}.
 * {@link Snapshot#generation()} grows with every change, which starts a re-evaluation pass over every user.
 */
public final class SegmentCatalog {

    private static final Logger log = LoggerFactory.getLogger(SegmentCatalog.class);

    private volatile Snapshot snapshot = new Snapshot(0, Map.of());

    /** An immutable view: segments by name, and the evaluation plan (standalone and exclusive groups). */
    public static final class Snapshot {
        private final long generation;
        private final Map<String, CompiledSegment> byName;
        private final List<CompiledSegment> standalone = new ArrayList<>();
        private final Map<String, List<CompiledSegment>> groups = new TreeMap<>();
        private final Map<String, CompiledSegment> fallbacks = new HashMap<>();
        /** Each segment's position, for a user's {@link LastResults}. */
        private final Map<CompiledSegment, Integer> slots = new IdentityHashMap<>();
        /** The conditions time alone can change. */
        private final List<Condition> timed;
        /** Positions in {@link Facts#ALL} of the facts some condition reads. */
        private final int[] factsRead;
        /** By fact position: the slots of the segments whose conditions read it. */
        private final int[][] readers = new int[Facts.ALL.size()][];

        Snapshot(long generation, Map<String, CompiledSegment> byName) {
            this.generation = generation;
            this.byName = Map.copyOf(byName);
            Comparator<CompiledSegment> byPriority = Comparator.<CompiledSegment>comparingInt(s -> s.definition().getPriority())
                    .reversed().thenComparing(CompiledSegment::name);
            byName.values().stream().sorted(byPriority).forEach(segment -> {
                String group = segment.definition().getExclusiveGroup();
                if (group == null) {
                    standalone.add(segment);
                } else if (segment.definition().getFallback()) {
                    fallbacks.put(group, segment);
                } else {
                    groups.computeIfAbsent(group, g -> new ArrayList<>()).add(segment);
                }
            });
            fallbacks.keySet().forEach(group -> groups.computeIfAbsent(group, g -> new ArrayList<>()));
            byName.values().forEach(segment -> slots.put(segment, slots.size()));
            timed = byName.values().stream().map(CompiledSegment::condition).filter(Condition::movesWithTime).toList();
            List<List<Integer>> readersByFact = new ArrayList<>();
            for (int fact = 0; fact < Facts.ALL.size(); fact++) {
                readersByFact.add(new ArrayList<>());
            }
            slots.forEach((segment, slot) -> segment.condition().reads().forEach(fact ->
                    readersByFact.get(Facts.indexOf(fact)).add(slot)));
            for (int fact = 0; fact < readers.length; fact++) {
                readers[fact] = readersByFact.get(fact).stream().mapToInt(Integer::intValue).sorted().toArray();
            }
            factsRead = IntStream.range(0, readers.length).filter(fact -> readers[fact].length > 0).toArray();
        }

        /** Positions in {@link Facts#ALL} of the facts some condition reads. */
        int[] factsRead() {
            return factsRead;
        }

        /** The slots of the segments whose conditions read the fact at {@code fact}. */
        int[] readers(int fact) {
            return readers[fact];
        }

        /**
         * The first instant after {@code now} at which time alone can change one of the conditions for the
         * user of {@code input}; {@link Long#MAX_VALUE} when only an event of theirs can.
         */
        public long nextChange(Facts.Input input, long now) {
            long next = Long.MAX_VALUE;
            for (Condition condition : timed) {
                next = Math.min(next, condition.nextChange(input, now));
            }
            return next;
        }

        /** Whether a condition reads one of {@code facts}. */
        public boolean reads(Set<String> facts) {
            return byName.values().stream().anyMatch(segment -> segment.condition().reads().stream()
                    .anyMatch(fact -> facts.contains(fact.name())));
        }

        int slots() {
            return slots.size();
        }

        public long generation() {
            return generation;
        }

        public Map<String, CompiledSegment> segments() {
            return byName;
        }

        /**
         * The segments {@code input} belongs to: every standalone segment whose condition holds, and per
         * exclusive group the highest-priority one that holds, else the group's fallback. Without
         * {@code consented}, a segment that requires consent holds for no one.
         */
        public Map<String, CompiledSegment> matching(Facts.Input input, boolean consented) {
            return matching(input, null, consented);
        }

        /** As {@link #matching(Facts.Input, boolean)}, skipping conditions whose facts are unchanged since {@code last} (or null). */
        Map<String, CompiledSegment> matching(Facts.Input input, LastResults last, boolean consented) {
            if (last != null) {
                last.refresh(this, input);
            }
            Map<String, CompiledSegment> matching = new LinkedHashMap<>();
            for (CompiledSegment segment : standalone) {
                if (holds(segment, input, last, consented)) {
                    matching.put(segment.name(), segment);
                }
            }
            for (Map.Entry<String, List<CompiledSegment>> group : groups.entrySet()) {
                CompiledSegment chosen = firstHolding(group.getValue(), input, last, consented);
                if (chosen == null) {
                    CompiledSegment fallback = fallbacks.get(group.getKey());
                    chosen = fallback != null && holds(fallback, input, last, consented) ? fallback : null;
                }
                if (chosen != null) {
                    matching.put(chosen.name(), chosen);
                }
            }
            return matching;
        }

        private CompiledSegment firstHolding(List<CompiledSegment> byPriority, Facts.Input input, LastResults last,
                boolean consented) {
            for (CompiledSegment segment : byPriority) {
                if (holds(segment, input, last, consented)) {
                    return segment;
                }
            }
            return null;
        }

        private boolean holds(CompiledSegment segment, Facts.Input input, LastResults last, boolean consented) {
            if (!consented && segment.requiresConsent()) {
                return false;
            }
            return last == null ? segment.condition().test(input) : last.test(slots.get(segment), segment.condition(), input);
        }
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Applies one record of the definitions topic (null = retired). */
    public synchronized void apply(String name, SegmentDefinition definition) {
        Map<String, CompiledSegment> next = new HashMap<>(snapshot.segments());
        if (definition == null) {
            if (next.remove(name) == null) {
                return;
            }
            log.info("Segment {} retired", name);
        } else {
            CompiledSegment current = next.get(name);
            if (current != null && current.version() == definition.getVersion()) {
                return;
            }
            try {
                next.put(name, CompiledSegment.compile(definition));
                log.info("Segment {} v{} active: {}", name, definition.getVersion(), definition.getCondition());
            } catch (InvalidDefinitionException e) {
                log.error("Segment {} v{} ignored, its condition does not compile (validate definitions with "
                        + "'segstream segments validate'): {}", name, definition.getVersion(), e.getMessage());
                return;
            }
        }
        snapshot = new Snapshot(snapshot.generation() + 1, next);
    }

    /** Brings the catalog in line with the store: applies what differs, removes what is gone. */
    public synchronized void sync(ReadOnlyKeyValueStore<String, SegmentDefinition> store) {
        Map<String, SegmentDefinition> stored = new HashMap<>();
        try (KeyValueIterator<String, SegmentDefinition> entries = store.all()) {
            while (entries.hasNext()) {
                KeyValue<String, SegmentDefinition> entry = entries.next();
                stored.put(entry.key, entry.value);
            }
        }
        stored.forEach(this::apply);
        new ArrayList<>(snapshot.segments().keySet()).stream().filter(name -> !stored.containsKey(name))
                .forEach(name -> apply(name, null));
    }
}
