package io.segstream.segments;

import io.segstream.facts.CategoryCounts;
import io.segstream.facts.Facts;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * One user's last evaluation against one catalog snapshot: the value of every fact the snapshot's
 * conditions read, each atom's value and each condition's result. An evaluation compares the facts (a
 * few dozen at most, however many definitions there are); for a changed numeric fact only the
 * threshold atoms whose constant lies between its old and new value can change, for any other
 * changed fact the atoms that read it; only those are evaluated again, and only the conditions whose
 * atoms changed are combined again. Held with the user's decoded membership, never encoded; a new
 * snapshot starts it over, from the results of a user with no history ({@link Scratch#baseline}):
 * a new user, or one decoded again, costs the facts that differ from that user's, not every atom.
 */
final class LastResults {

    /**
     * What one evaluation works with and then forgets, per stream thread (kept with the user, it would
     * cost tens of kilobytes per user at a thousand definitions): the atoms to evaluate again and the
     * conditions to combine again (a list and a mark each), the entries of a changed map, and the
     * conditions whose result changed.
     */
    private static final class Scratch {
        SegmentCatalog.Snapshot snapshot;
        int[] staleAtoms;
        int staleAtomCount;
        boolean[] atomMarked;
        int[] dirty;
        int dirtyCount;
        boolean[] dirtyMarked;
        int[] changed;
        int changedCount;
        Object[] changedKeys = new Object[8];
        Object[] entriesBefore = new Object[8];
        Object[] entriesAfter = new Object[8];
        int changedEntryCount;
        /**
         * The snapshot's results for a user with no history (every atom evaluated once), which results
         * new to the snapshot copy and bring up to their own facts; null until first needed.
         */
        LastResults baseline;

        /** This thread's scratch, sized for {@code catalog}. */
        static Scratch of(SegmentCatalog.Snapshot catalog) {
            Scratch scratch = THREAD.get();
            if (scratch.snapshot != catalog) {
                scratch.snapshot = catalog;
                scratch.staleAtoms = new int[catalog.atomCount()];
                scratch.atomMarked = new boolean[catalog.atomCount()];
                scratch.dirty = new int[catalog.slots()];
                scratch.dirtyMarked = new boolean[catalog.slots()];
                scratch.changed = new int[catalog.slots()];
                scratch.baseline = null;
            }
            scratch.staleAtomCount = 0;
            scratch.dirtyCount = 0;
            scratch.changedCount = 0;
            return scratch;
        }
    }

    private static final ThreadLocal<Scratch> THREAD = ThreadLocal.withInitial(Scratch::new);

    private SegmentCatalog.Snapshot snapshot;
    /** The membership these results were last reconciled with, and under which consent. */
    private MembershipState membership;
    private boolean consented;
    /** By fact position in {@link Facts#ALL}: the value last seen, for the facts the snapshot reads. */
    private Object[] values;
    private AtomValues atoms;
    /** By per-entry comprehension ({@link SegmentCatalog.Snapshot#entriesIndex}): the entries that decide it, and those in error. */
    private int[] deciding;
    private int[] errors;
    /** By slot: the condition's result, and whether the reconciled membership holds the segment. */
    private BitSet results;
    private BitSet held;
    /** The scratch of the last refresh, whose {@link Scratch#changed} the evaluation reads next. */
    private Scratch scratch;

    /**
     * Brings the results up to {@code input}'s facts. Returns whether they continue an evaluation of the
     * same snapshot, membership and consent ({@link #changed} then lists the conditions whose result
     * changed); false when they started over (new to the snapshot, or another membership or consent).
     */
    boolean refresh(SegmentCatalog.Snapshot catalog, Facts.Input input, MembershipState current, boolean consent) {
        boolean continues = catalog == snapshot && current == membership && consent == consented;
        membership = current;
        consented = consent;
        scratch = Scratch.of(catalog);
        if (catalog != snapshot) {
            adopt(catalog, baseline(catalog, input));
        }
        for (int fact : catalog.factsRead()) {
            Object value = input.value(fact);
            Object last = values[fact];
            if (value != last && changed(last, value)) {
                values[fact] = value;
                staleThresholds(catalog.thresholdAtoms(fact), catalog.thresholds(fact), last, value);
                staleKeys(catalog.keyed(fact), last, value);
                recount(catalog, fact, last, value, input);
                for (int atom : catalog.atomsReading(fact)) {
                    markAtom(atom);
                }
                for (int atom : catalog.entriesWithContext(fact)) {
                    markAtom(atom);
                }
            }
        }
        for (int i = 0; i < scratch.staleAtomCount; i++) {
            int atom = scratch.staleAtoms[i];
            scratch.atomMarked[atom] = false;
            if (catalog.atom(atom) instanceof Atom.Entries entries) {
                // Its context changed: every entry anew (over what an incremental recount did before).
                count(atom, entries, input.value(entries.fact()), input);
            } else {
                settle(atom, catalog.atom(atom).value(input));
            }
        }
        scratch.staleAtomCount = 0;
        for (int i = 0; i < scratch.dirtyCount; i++) {
            int slot = scratch.dirty[i];
            scratch.dirtyMarked[slot] = false;
            boolean result = catalog.combine(slot, atoms) == Formula.TRUE;
            if (result != results.get(slot)) {
                results.set(slot, result);
                scratch.changed[scratch.changedCount++] = slot;
            }
        }
        scratch.dirtyCount = 0;
        return continues;
    }

    /** Whether the condition in {@code slot} holds for the input of the last {@link #refresh}. */
    boolean result(int slot) {
        return results.get(slot);
    }

    /** The slots of the conditions that hold, ascending (a new array, the caller's to change). */
    int[] holding() {
        return results.stream().toArray();
    }

    /** The number of conditions whose result changed in the last {@link #refresh}. */
    int changedCount() {
        return scratch.changedCount;
    }

    /** The slot of the {@code i}th condition whose result changed in the last {@link #refresh}. */
    int changed(int i) {
        return scratch.changed[i];
    }

    /** Whether the membership last reconciled holds the segment in {@code slot}. */
    boolean held(int slot) {
        return held.get(slot);
    }

    /** Records the membership an evaluation settled on, which the next one continues from. */
    void reconciled(MembershipState settled) {
        membership = settled;
        held.clear();
        settled.forEach((name, member) -> {
            int slot = snapshot.slot(name);
            if (slot >= 0) {
                held.set(slot);
            }
        });
    }

    /**
     * As {@link #reconciled(MembershipState)}, when {@code settled} differs from the membership last
     * reconciled only in the segments given to {@link #hold} since.
     */
    void settled(MembershipState settled) {
        membership = settled;
    }

    void hold(int slot, boolean holds) {
        held.set(slot, holds);
    }

    /** This thread's results of {@code catalog} for a user with no history, as of {@code input}'s now. */
    private LastResults baseline(SegmentCatalog.Snapshot catalog, Facts.Input input) {
        if (scratch.baseline == null) {
            LastResults blank = new LastResults();
            blank.scratch = scratch;
            blank.evaluateAll(catalog, input.blank());
            scratch.baseline = blank;
        }
        return scratch.baseline;
    }

    /** Starts over from {@code baseline}'s results (copied: the baseline serves every user of this thread). */
    private void adopt(SegmentCatalog.Snapshot catalog, LastResults baseline) {
        snapshot = catalog;
        values = baseline.values.clone();
        atoms = baseline.atoms.copy();
        deciding = baseline.deciding.clone();
        errors = baseline.errors.clone();
        results = (BitSet) baseline.results.clone();
        held = new BitSet(catalog.slots());
    }

    /** Evaluates every atom and condition of {@code catalog} for {@code input}. */
    private void evaluateAll(SegmentCatalog.Snapshot catalog, Facts.Input input) {
        snapshot = catalog;
        values = new Object[Facts.ALL.size()];
        for (int fact : catalog.factsRead()) {
            values[fact] = input.value(fact);
        }
        atoms = new AtomValues(catalog.atomCount());
        deciding = new int[catalog.entriesCount()];
        errors = new int[catalog.entriesCount()];
        results = new BitSet(catalog.slots());
        held = new BitSet(catalog.slots());
        for (int atom = 0; atom < catalog.atomCount(); atom++) {
            if (catalog.atom(atom) instanceof Atom.Entries entries) {
                count(atom, entries, input.value(entries.fact()), input);
            } else {
                atoms.set(atom, catalog.atom(atom).value(input));
            }
        }
        for (int slot = 0; slot < catalog.slots(); slot++) {
            results.set(slot, catalog.combine(slot, atoms) == Formula.TRUE);
        }
        // Every condition was combined above; what the counts marked is done.
        for (int i = 0; i < scratch.dirtyCount; i++) {
            scratch.dirtyMarked[scratch.dirty[i]] = false;
        }
        scratch.dirtyCount = 0;
    }

    /**
     * Marks the threshold atoms (sorted by constant) that can change when their fact moves from
     * {@code last} to {@code value}: those whose constant lies between the two (all of them when either
     * is not a number).
     */
    private void staleThresholds(int[] thresholdAtoms, double[] constants, Object last, Object value) {
        if (thresholdAtoms.length == 0) {
            return;
        }
        int from = 0;
        int to = thresholdAtoms.length;
        if (last instanceof Number a && value instanceof Number b) {
            double x = a.doubleValue();
            double y = b.doubleValue();
            if (!Double.isNaN(x) && !Double.isNaN(y)) {
                // Widened by an ulp: a long converted to a double may round by that much.
                double low = Math.min(x, y);
                double high = Math.max(x, y);
                from = lowerBound(constants, low - Math.ulp(low));
                to = lowerBound(constants, Math.nextUp(high + Math.ulp(high)));
            }
        }
        for (int i = from; i < to; i++) {
            markAtom(thresholdAtoms[i]);
        }
    }

    /**
     * Marks the atoms on the keys of a map or list fact whose entry changed from {@code last} to
     * {@code value} (every keyed atom when either is neither a map nor a list).
     */
    private void staleKeys(Map<String, SegmentCatalog.Snapshot.Keyed> keyed, Object last, Object value) {
        if (keyed.isEmpty()) {
            return;
        }
        if (last instanceof Map<?, ?> && value instanceof Map<?, ?>) {
            for (int i = 0; i < scratch.changedEntryCount; i++) {
                Object before = scratch.entriesBefore[i];
                Object after = scratch.entriesAfter[i];
                staleKey(keyed.get(scratch.changedKeys[i]), before == null || after == null, before, after);
            }
        } else if (last instanceof Collection<?> before && value instanceof Collection<?> after) {
            after.stream().filter(element -> !before.contains(element))
                    .forEach(element -> staleKey(keyed.get(element), true, null, null));
            before.stream().filter(element -> !after.contains(element))
                    .forEach(element -> staleKey(keyed.get(element), true, null, null));
        } else {
            keyed.values().forEach(key -> staleKey(key, true, null, null));
        }
    }

    /**
     * Whether a fact's value changed from {@code last}; for two maps, the entries that differ are left in
     * the scratch's changed keys and entries (one pass over the maps, not an equality test and a diff).
     */
    private boolean changed(Object last, Object value) {
        if (last instanceof Map<?, ?> before && value instanceof Map<?, ?> after) {
            diff(before, after);
            return scratch.changedEntryCount > 0;
        }
        return !Objects.equals(value, last);
    }

    /**
     * The entries that differ between two maps (a fact's values never null: absent is null), into the
     * scratch's changed keys and entries. The keys that went are looked for only when fewer keys of
     * {@code after} were in {@code before} than {@code before} has.
     */
    private void diff(Map<?, ?> before, Map<?, ?> after) {
        scratch.changedEntryCount = 0;
        if (before instanceof CategoryCounts counted && after instanceof CategoryCounts counts) {
            // Both in name order: one walk, no lookups.
            counts.differencesFrom(counted, this::changedEntry);
            return;
        }
        int kept = 0;
        for (Map.Entry<?, ?> entry : after.entrySet()) {
            Object previous = before.get(entry.getKey());
            if (previous != null) {
                kept++;
            }
            if (!Objects.equals(previous, entry.getValue())) {
                changedEntry(entry.getKey(), previous, entry.getValue());
            }
        }
        if (kept < before.size()) {
            before.forEach((key, entry) -> {
                if (!after.containsKey(key)) {
                    changedEntry(key, entry, null);
                }
            });
        }
    }

    private void changedEntry(Object key, Object before, Object after) {
        Scratch s = scratch;
        if (s.changedEntryCount == s.changedKeys.length) {
            s.changedKeys = Arrays.copyOf(s.changedKeys, 2 * s.changedEntryCount);
            s.entriesBefore = Arrays.copyOf(s.entriesBefore, 2 * s.changedEntryCount);
            s.entriesAfter = Arrays.copyOf(s.entriesAfter, 2 * s.changedEntryCount);
        }
        s.changedKeys[s.changedEntryCount] = key;
        s.entriesBefore[s.changedEntryCount] = before;
        s.entriesAfter[s.changedEntryCount] = after;
        s.changedEntryCount++;
    }

    /** Marks a key's thresholds between {@code last} and {@code value}, and its memberships if it came or went. */
    private void staleKey(SegmentCatalog.Snapshot.Keyed key, boolean cameOrWent, Object last, Object value) {
        if (key == null) {
            return;
        }
        if (cameOrWent) {
            for (int atom : key.members()) {
                markAtom(atom);
            }
        }
        staleThresholds(key.thresholdAtoms(), key.thresholds(), last, value);
    }

    /**
     * Updates the counts of the per-entry comprehensions over the map fact at {@code fact} for its moving
     * from {@code last} to {@code value}: the entries that changed are tested, before and after (all of
     * them when either is not a map).
     */
    private void recount(SegmentCatalog.Snapshot catalog, int fact, Object last, Object value, Facts.Input input) {
        int[] comprehensions = catalog.entriesAtoms(fact);
        if (comprehensions.length == 0) {
            return;
        }
        if (!(last instanceof Map<?, ?> && value instanceof Map<?, ?> after)) {
            for (int atom : comprehensions) {
                count(atom, (Atom.Entries) catalog.atom(atom), value, input);
            }
            return;
        }
        for (int i = 0; i < scratch.changedEntryCount; i++) {
            Object key = scratch.changedKeys[i];
            Object before = scratch.entriesBefore[i];
            Object now = scratch.entriesAfter[i];
            SegmentCatalog.Snapshot.KeyTests tests = catalog.entryTests(fact, key);
            byte[] known = tests.known();
            // An entry that only changed value changes only the comprehensions whose body the key does not decide.
            for (int atom : before != null && now != null ? tests.valueDependent() : comprehensions) {
                Atom.Entries entries = (Atom.Entries) catalog.atom(atom);
                int offset = catalog.entryTestsOffset(atom);
                if (before != null) {
                    add(atom, entries, entries.entry(key, before, input, known, offset), -1);
                }
                if (now != null) {
                    add(atom, entries, entries.entry(key, now, input, known, offset), 1);
                }
            }
        }
        for (int atom : comprehensions) {
            int counts = catalog.entriesIndex(atom);
            settle(atom, ((Atom.Entries) catalog.atom(atom)).of(deciding[counts], errors[counts], after.size()));
        }
    }

    /** Counts a per-entry comprehension's entries in {@code value} from scratch, under {@code input}'s context. */
    private void count(int atom, Atom.Entries entries, Object value, Facts.Input input) {
        int counts = snapshot.entriesIndex(atom);
        deciding[counts] = 0;
        errors[counts] = 0;
        if (!(value instanceof Map<?, ?> map)) {
            settle(atom, Formula.ERROR);
            return;
        }
        int offset = snapshot.entryTestsOffset(atom);
        map.forEach((key, entry) -> add(atom, entries,
                entries.entry(key, entry, input, snapshot.entryTests(entries.fact(), key).known(), offset), 1));
        settle(atom, entries.of(deciding[counts], errors[counts], map.size()));
    }

    private void add(int atom, Atom.Entries entries, byte tested, int sign) {
        int counts = snapshot.entriesIndex(atom);
        if (entries.decides(tested)) {
            deciding[counts] += sign;
        } else if (tested == Formula.ERROR) {
            errors[counts] += sign;
        }
    }

    /**
     * Sets an atom's value; when it changed (after the start) its conditions are combined again, but for
     * those another part of whose {@code &&} is false now. Such a condition is false before and after
     * unless one of its atoms changes while all its other parts are true (the first change when it held,
     * the last when it comes to hold), and that change marks it.
     */
    private void settle(int atom, byte value) {
        if (value != atoms.get(atom)) {
            atoms.set(atom, value);
            Scratch s = scratch;
            int[] slots = snapshot.slotsUsing(atom);
            int[] guards = snapshot.guards(atom);
            for (int i = 0; i < slots.length; i++) {
                int slot = slots[i];
                int guard = guards[i];
                if (guard >= 0 && atoms.isFalse(guard)) {
                    continue;
                }
                if (!s.dirtyMarked[slot]) {
                    s.dirtyMarked[slot] = true;
                    s.dirty[s.dirtyCount++] = slot;
                }
            }
        }
    }

    /** The first position whose constant is at least {@code bound}. */
    private static int lowerBound(double[] constants, double bound) {
        int found = Arrays.binarySearch(constants, bound);
        if (found < 0) {
            return -found - 1;
        }
        while (found > 0 && constants[found - 1] == bound) {
            found--;
        }
        return found;
    }

    private void markAtom(int atom) {
        if (!scratch.atomMarked[atom]) {
            scratch.atomMarked[atom] = true;
            scratch.staleAtoms[scratch.staleAtomCount++] = atom;
        }
    }
}
