package io.segstream.segments;

import io.segstream.avro.SegmentDefinition;
import io.segstream.facts.Fact;
import io.segstream.facts.Facts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
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

    /** The active definitions and the number of changes applied; guarded by this catalog. */
    private Map<String, CompiledSegment> segments = Map.of();
    private long generation;
    /**
     * The snapshot of {@link #segments}, built when first asked for after a change: restoring a thousand
     * definitions (one record each) builds one snapshot, not a thousand.
     */
    private volatile Snapshot snapshot;

    /** An immutable view: segments by name, and the evaluation plan (standalone and exclusive groups). */
    public static final class Snapshot {
        private final long generation;
        private final Map<String, CompiledSegment> byName;
        private final List<CompiledSegment> standalone = new ArrayList<>();
        private final Map<String, List<CompiledSegment>> groups = new TreeMap<>();
        private final Map<String, CompiledSegment> fallbacks = new HashMap<>();
        /** Each segment's position, for a user's {@link LastResults}. */
        private final Map<CompiledSegment, Integer> slots = new IdentityHashMap<>();
        private final CompiledSegment[] bySlot;
        /** By slot: where {@link #matching} puts the segment when it holds. */
        private final int[] matchingOrder;
        /** By slot: the exclusive group of the segment, or null. */
        private final String[] groupOf;
        /** By slot: the condition over atom positions. */
        private final Formula.Packed formulas;
        /** The distinct atoms of the conditions, by position. */
        private final Atom[] atoms;
        /** By atom position: the slots whose conditions use it. */
        private final int[][] slotsUsing;
        /**
         * By atom position, at the positions of {@link #slotsUsing}: another atom whose being false makes
         * that slot's condition false whatever this one is (a part of its top-level {@code &&}, the one the
         * fewest conditions use, the likeliest to be false), or -1.
         */
        private final int[][] guards;
        /** By fact position: the threshold atoms on it sorted by constant, and their constants. */
        private final int[][] thresholdAtoms = new int[Facts.ALL.size()][];
        private final double[][] thresholds = new double[Facts.ALL.size()][];
        /** By fact position: for a map or list fact, the atoms on one of its keys, by key. */
        private final List<Map<String, Keyed>> keyed = new ArrayList<>();
        /** By fact position: the per-entry comprehensions over it (a map fact). */
        private final int[][] entriesAtoms = new int[Facts.ALL.size()][];
        private final int[][] entriesWithContext = new int[Facts.ALL.size()][];
        /** By atom position: for a per-entry comprehension its index among them (a user's counts), else -1. */
        private final int[] entriesIndex;
        /** By atom position: for a per-entry comprehension where its tests start in {@link #entryTests}' arrays. */
        private final int[] entryTestsOffset;
        private final int entriesCount;
        /** By fact position, for a map fact with per-entry comprehensions: by key, their remembered entry tests. */
        private final List<Map<Object, KeyTests>> entryTests = new ArrayList<>();
        /** By fact position: the other atoms that read it. */
        private final int[][] atomsReading = new int[Facts.ALL.size()][];
        /** When time alone can change one of the conditions. */
        private final TimeTriggers timed;
        /** Positions in {@link Facts#ALL} of the facts some condition reads. */
        private final int[] factsRead;
        /** By fact position: whether a condition names the fact. */
        private final boolean[] named = new boolean[Facts.ALL.size()];

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
            bySlot = byName.values().toArray(CompiledSegment[]::new);
            groupOf = new String[bySlot.length];
            Formula.Packed.Builder packed = new Formula.Packed.Builder(bySlot.length);
            Map<String, Integer> atomPositions = new HashMap<>();
            List<Atom> distinct = new ArrayList<>();
            List<Set<Integer>> users = new ArrayList<>();
            for (int slot = 0; slot < bySlot.length; slot++) {
                CompiledSegment segment = bySlot[slot];
                slots.put(segment, slot);
                groupOf[slot] = segment.definition().getExclusiveGroup();
                Formula formula = segment.condition().formula();
                List<Atom> used = new ArrayList<>();
                formula.atoms(used);
                for (Atom atom : used) {
                    int position = atomPositions.computeIfAbsent(atom.key(), key -> {
                        distinct.add(atom);
                        users.add(new TreeSet<>());
                        return distinct.size() - 1;
                    });
                    users.get(position).add(slot);
                }
                packed.add(formula, atom -> atomPositions.get(atom.key()));
            }
            formulas = packed.build();
            atoms = distinct.toArray(Atom[]::new);
            entriesIndex = new int[atoms.length];
            entryTestsOffset = new int[atoms.length];
            int comprehensions = 0;
            for (int atom = 0; atom < atoms.length; atom++) {
                entriesIndex[atom] = atoms[atom] instanceof Atom.Entries ? comprehensions++ : -1;
            }
            entriesCount = comprehensions;
            matchingOrder = new int[bySlot.length];
            List<String> groupNames = new ArrayList<>(groups.keySet());
            for (int i = 0; i < standalone.size(); i++) {
                matchingOrder[slots.get(standalone.get(i))] = i;
            }
            for (int slot = 0; slot < bySlot.length; slot++) {
                if (groupOf[slot] != null) {
                    matchingOrder[slot] = standalone.size() + groupNames.indexOf(groupOf[slot]);
                }
            }
            slotsUsing = users.stream().map(set -> set.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
            guards = new int[atoms.length][];
            for (int atom = 0; atom < atoms.length; atom++) {
                int a = atom;
                guards[atom] = Arrays.stream(slotsUsing[atom]).map(slot -> Arrays.stream(formulas.conjunctAtoms(slot))
                        .filter(part -> part != a).boxed().min(Comparator.comparingInt(part -> slotsUsing[part].length))
                        .orElse(-1)).toArray();
            }
            for (int fact = 0; fact < Facts.ALL.size(); fact++) {
                int f = fact;
                int[] onFact = IntStream.range(0, atoms.length).filter(atom -> atoms[atom] instanceof Atom.Threshold threshold
                        && threshold.fact() == f && threshold.entry() == null).toArray();
                thresholdAtoms[fact] = byConstant(onFact);
                thresholds[fact] = constants(thresholdAtoms[fact]);
                Map<String, List<Integer>> entryThresholds = new HashMap<>();
                Map<String, List<Integer>> members = new HashMap<>();
                for (int atom = 0; atom < atoms.length; atom++) {
                    if (atoms[atom] instanceof Atom.Threshold threshold && threshold.fact() == f && threshold.entry() != null) {
                        entryThresholds.computeIfAbsent(threshold.entry(), k -> new ArrayList<>()).add(atom);
                    } else if (atoms[atom] instanceof Atom.Member member && member.fact() == f) {
                        members.computeIfAbsent(member.element(), k -> new ArrayList<>()).add(atom);
                    }
                }
                Map<String, Keyed> byKey = new HashMap<>();
                Set<String> keys = new TreeSet<>(entryThresholds.keySet());
                keys.addAll(members.keySet());
                for (String key : keys) {
                    int[] sorted = byConstant(entryThresholds.getOrDefault(key, List.of()).stream()
                            .mapToInt(Integer::intValue).toArray());
                    byKey.put(key, new Keyed(sorted, constants(sorted),
                            members.getOrDefault(key, List.of()).stream().mapToInt(Integer::intValue).toArray()));
                }
                keyed.add(byKey);
                entriesAtoms[fact] = IntStream.range(0, atoms.length)
                        .filter(atom -> atoms[atom] instanceof Atom.Entries entries && entries.fact() == f).toArray();
                for (int c = 0; c < entriesAtoms[fact].length; c++) {
                    entryTestsOffset[entriesAtoms[fact][c]] = c * Atom.Entries.SMALL_COUNTS;
                }
                entriesWithContext[fact] = IntStream.range(0, atoms.length)
                        .filter(atom -> atoms[atom] instanceof Atom.Entries entries
                                && Arrays.stream(entries.context()).anyMatch(read -> read == f)).toArray();
                entryTests.add(entriesAtoms[fact].length == 0 ? null : new ConcurrentHashMap<>());
                atomsReading[fact] = IntStream.range(0, atoms.length)
                        .filter(atom -> !(atoms[atom] instanceof Atom.Threshold || atoms[atom] instanceof Atom.Member
                                || atoms[atom] instanceof Atom.Entries)
                                && Arrays.stream(atoms[atom].reads()).anyMatch(read -> read == f))
                        .toArray();
            }
            factsRead = IntStream.range(0, Facts.ALL.size()).filter(fact -> thresholdAtoms[fact].length > 0
                    || !keyed.get(fact).isEmpty() || entriesAtoms[fact].length > 0 || entriesWithContext[fact].length > 0
                    || atomsReading[fact].length > 0)
                    .toArray();
            timed = TimeTriggers.merge(byName.values().stream().map(segment -> segment.condition().timeTriggers()).toList());
            byName.values().forEach(segment -> segment.condition().reads()
                    .forEach(fact -> named[Facts.indexOf(fact)] = true));
        }

        /** Positions in {@link Facts#ALL} of the facts some condition reads. */
        int[] factsRead() {
            return factsRead;
        }

        /** Threshold atoms (positions) sorted by constant. */
        private int[] byConstant(int[] thresholdAtoms) {
            return Arrays.stream(thresholdAtoms).boxed()
                    .sorted(Comparator.comparingDouble(atom -> ((Atom.Threshold) atoms[atom]).constant()))
                    .mapToInt(Integer::intValue).toArray();
        }

        private double[] constants(int[] thresholdAtoms) {
            return Arrays.stream(thresholdAtoms).mapToDouble(atom -> ((Atom.Threshold) atoms[atom]).constant()).toArray();
        }

        /** The atoms on one key of a map or list fact: thresholds on its entry by constant, and its memberships. */
        record Keyed(int[] thresholdAtoms, double[] thresholds, int[] members) {}

        /** For the map or list fact at {@code fact}: the atoms on each key some condition names. */
        Map<String, Keyed> keyed(int fact) {
            return keyed.get(fact);
        }

        int atomCount() {
            return atoms.length;
        }

        Atom atom(int position) {
            return atoms[position];
        }

        /** The slots whose conditions use the atom at {@code position}. */
        int[] slotsUsing(int position) {
            return slotsUsing[position];
        }

        /**
         * By position in {@link #slotsUsing}{@code (position)}: an atom whose being false makes that slot's
         * condition false whatever the atom at {@code position} is, or -1.
         */
        int[] guards(int position) {
            return guards[position];
        }

        /** The threshold atoms on the fact at {@code fact}, by constant, and their constants. */
        int[] thresholdAtoms(int fact) {
            return thresholdAtoms[fact];
        }

        double[] thresholds(int fact) {
            return thresholds[fact];
        }

        /**
         * For the map fact at {@code fact}: what its per-entry comprehensions know of {@code key}; one
         * look-up serves them all. Shared by every task; emptied when it holds too many keys.
         */
        KeyTests entryTests(int fact, Object key) {
            Map<Object, KeyTests> byKey = entryTests.get(fact);
            KeyTests known = byKey.get(key);
            if (known == null) {
                if (byKey.size() >= ResultMemory.LIMIT) {
                    byKey.clear();
                }
                known = byKey.computeIfAbsent(key, k -> new KeyTests(
                        new byte[entriesAtoms[fact].length * Atom.Entries.SMALL_COUNTS],
                        Arrays.stream(entriesAtoms[fact]).filter(atom -> !((Atom.Entries) atoms[atom]).decidedByKey(k))
                                .toArray()));
            }
            return known;
        }

        /**
         * What the per-entry comprehensions over a map fact know of one key: their entry tests remembered
         * by small count ({@link Atom.Entries#SMALL_COUNTS} per comprehension, from
         * {@link #entryTestsOffset}), and those whose body the key does not decide alone (the others
         * have the same value for every value of the key's entry, so its changes change none of them).
         */
        record KeyTests(byte[] known, int[] valueDependent) {}

        /** Where the tests of the per-entry comprehension at atom position {@code atom} start in an {@link #entryTests} array. */
        int entryTestsOffset(int atom) {
            return entryTestsOffset[atom];
        }

        /** The index of the per-entry comprehension at atom position {@code atom} among them. */
        int entriesIndex(int atom) {
            return entriesIndex[atom];
        }

        /** The number of per-entry comprehensions. */
        int entriesCount() {
            return entriesCount;
        }

        /** The per-entry comprehensions over the map fact at {@code fact}. */
        int[] entriesAtoms(int fact) {
            return entriesAtoms[fact];
        }

        /** The per-entry comprehensions whose body reads the fact at {@code fact} as context (all their entries depend on it). */
        int[] entriesWithContext(int fact) {
            return entriesWithContext[fact];
        }

        /** The atoms other than thresholds, memberships and per-entry comprehensions that read the fact at {@code fact}. */
        int[] atomsReading(int fact) {
            return atomsReading[fact];
        }

        /** Where {@link #matching} puts the segment in {@code slot} when it holds. */
        int matchingOrder(int slot) {
            return matchingOrder[slot];
        }

        /** The value of the condition in {@code slot} given each atom's value, by position. */
        byte combine(int slot, AtomValues atoms) {
            return formulas.value(slot, atoms);
        }

        /**
         * The first instant after {@code now} at which time alone can change one of the conditions for the
         * user of {@code input}; {@link Long#MAX_VALUE} when only an event of theirs can.
         */
        public long nextChange(Facts.Input input, long now) {
            return timed.next(input, now);
        }

        /** Whether a condition reads {@code fact}. */
        public boolean reads(Fact fact) {
            return reads(Facts.indexOf(fact));
        }

        /** Whether a condition reads the fact at {@code index} of {@link Facts#ALL} (see {@link Facts#indexOf}). */
        public boolean reads(int index) {
            return named[index];
        }

        /** Whether a condition reads one of the facts named {@code facts} (names of no fact are not read). */
        public boolean reads(Set<String> facts) {
            return facts.stream().map(Facts::named).anyMatch(fact -> fact != null && reads(fact));
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

        /** As {@link #matching(Facts.Input, boolean)}, from the results of {@code last} (refreshed for {@code input}), or null. */
        Map<String, CompiledSegment> matching(Facts.Input input, LastResults last, boolean consented) {
            Map<String, CompiledSegment> matching = new LinkedHashMap<>();
            if (last == null) {
                for (CompiledSegment segment : standalone) {
                    if (holds(segment, input, null, consented)) {
                        matching.put(segment.name(), segment);
                    }
                }
            } else {
                // Only the conditions that hold (a few of a thousand), in the order of standalone.
                int[] holding = last.holding();
                int count = 0;
                for (int slot : holding) {
                    if (groupOf[slot] == null && holds(bySlot[slot], null, last, consented)) {
                        holding[count++] = matchingOrder[slot];
                    }
                }
                Arrays.sort(holding, 0, count);
                for (int i = 0; i < count; i++) {
                    CompiledSegment segment = standalone.get(holding[i]);
                    matching.put(segment.name(), segment);
                }
            }
            for (String group : groups.keySet()) {
                CompiledSegment chosen = chosen(group, input, last, consented);
                if (chosen != null) {
                    matching.put(chosen.name(), chosen);
                }
            }
            return matching;
        }

        /**
         * After a {@link LastResults#refresh} that continued the user's last evaluation: each segment whose
         * membership changed (its condition's result did, or that of another in its exclusive group), by
         * slot, and whether the user belongs to it now. Every other segment is as it was.
         */
        void changedMatches(LastResults last, boolean consented, SlotChange each) {
            Set<String> changedGroups = null;
            for (int i = 0; i < last.changedCount(); i++) {
                int slot = last.changed(i);
                String group = groupOf[slot];
                if (group == null) {
                    report(slot, holds(bySlot[slot], null, last, consented), last, each);
                } else {
                    if (changedGroups == null) {
                        changedGroups = new TreeSet<>();
                    }
                    changedGroups.add(group);
                }
            }
            if (changedGroups != null) {
                for (String group : changedGroups) {
                    CompiledSegment chosen = chosen(group, null, last, consented);
                    for (CompiledSegment segment : groups.get(group)) {
                        report(slots.get(segment), segment == chosen, last, each);
                    }
                    CompiledSegment fallback = fallbacks.get(group);
                    if (fallback != null) {
                        report(slots.get(fallback), fallback == chosen, last, each);
                    }
                }
            }
        }

        private static void report(int slot, boolean holds, LastResults last, SlotChange each) {
            if (holds != last.held(slot)) {
                each.changed(slot, holds);
            }
        }

        /** A segment, by slot, that the user now holds or no longer holds. */
        interface SlotChange {
            void changed(int slot, boolean holds);
        }

        CompiledSegment segment(int slot) {
            return bySlot[slot];
        }

        /** The slot of the segment named {@code name}, or -1. */
        int slot(String name) {
            CompiledSegment segment = byName.get(name);
            return segment == null ? -1 : slots.get(segment);
        }

        /** The group's highest-priority segment that holds, else its fallback if that holds, else null. */
        private CompiledSegment chosen(String group, Facts.Input input, LastResults last, boolean consented) {
            for (CompiledSegment segment : groups.get(group)) {
                if (holds(segment, input, last, consented)) {
                    return segment;
                }
            }
            CompiledSegment fallback = fallbacks.get(group);
            return fallback != null && holds(fallback, input, last, consented) ? fallback : null;
        }

        private boolean holds(CompiledSegment segment, Facts.Input input, LastResults last, boolean consented) {
            if (!consented && segment.requiresConsent()) {
                return false;
            }
            return last == null ? segment.condition().test(input) : last.result(slots.get(segment));
        }
    }

    public Snapshot snapshot() {
        Snapshot current = snapshot;
        return current != null ? current : build();
    }

    private synchronized Snapshot build() {
        if (snapshot == null) {
            snapshot = new Snapshot(generation, segments);
        }
        return snapshot;
    }

    /** Applies one record of the definitions topic (null = retired). */
    public synchronized void apply(String name, SegmentDefinition definition) {
        CompiledSegment current = segments.get(name);
        if (definition == null ? current == null : current != null && current.version() == definition.getVersion()) {
            // Already so (a sync finds every definition as it is): nothing to copy or rebuild.
            return;
        }
        Map<String, CompiledSegment> next = new HashMap<>(segments);
        if (definition == null) {
            next.remove(name);
            log.info("Segment {} retired", name);
        } else {
            try {
                next.put(name, CompiledSegment.compile(definition));
                log.info("Segment {} v{} active: {}", name, definition.getVersion(), definition.getCondition());
            } catch (InvalidDefinitionException e) {
                log.error("Segment {} v{} ignored, its condition does not compile (validate definitions with "
                        + "'segstream segments validate'): {}", name, definition.getVersion(), e.getMessage());
                return;
            }
        }
        segments = next;
        generation++;
        snapshot = null;
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
        new ArrayList<>(segments.keySet()).stream().filter(name -> !stored.containsKey(name))
                .forEach(name -> apply(name, null));
    }
}
