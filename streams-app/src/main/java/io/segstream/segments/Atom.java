package io.segstream.segments;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.segstream.facts.Facts;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The smallest part of a condition that is not an {@code &&}, {@code ||} or {@code !} of other parts:
 * {@code cart.items > 0}, {@code dwell.sessionActive}, {@code 'shoes' in interest.categoryViews}.
 * Identical atoms of different conditions are one atom of a catalog snapshot, evaluated once per user
 * event. Its value is {@link Formula#TRUE}, {@link Formula#FALSE} or {@link Formula#ERROR} (a missing
 * map key, an absent fact), as CEL has it before {@code &&} and {@code ||} decide. Thread-safe.
 */
abstract sealed class Atom {

    /** The atom as written by CEL's unparser: identical atoms have identical keys. */
    private final String key;

    private Atom(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }

    /** The positions in {@link Facts#ALL} of the facts the atom reads. */
    abstract int[] reads();

    abstract byte value(Facts.Input input);

    /** An atom that reads one fact. */
    abstract static sealed class OnFact extends Atom {
        private final int fact;

        private OnFact(String key, int fact) {
            super(key);
            this.fact = fact;
        }

        int fact() {
            return fact;
        }

        @Override
        int[] reads() {
            return new int[] {fact};
        }
    }

    /**
     * A numeric fact compared with a constant ({@code rfm.recencyDays >= 60}, {@code 40 < cart.value}
     * as {@code cart.value > 40}). When the fact moves from one value to another, only the atoms whose
     * constant lies between the two can change: a catalog keeps them sorted by constant.
     */
    static final class Threshold extends OnFact {
        /** For a map fact's entry ({@code interest.categoryViews['shoes'] >= 3}), its key; else null. */
        private final String entry;
        /** One of CEL's comparison functions, with the fact on the left. */
        private final String function;
        private final double constant;
        /** The constant when it is an integer; compared exactly with integer facts. */
        private final Long integer;

        Threshold(String key, int fact, String entry, String function, double constant, Long integer) {
            super(key, fact);
            this.entry = entry;
            this.function = function;
            this.constant = constant;
            this.integer = integer;
        }

        String entry() {
            return entry;
        }

        double constant() {
            return constant;
        }

        @Override
        byte value(Facts.Input input) {
            Object value = input.value(fact());
            if (entry != null) {
                // A missing key is an error in CEL, as is a fact that is not a map.
                value = value instanceof Map<?, ?> map ? map.get(entry) : null;
            }
            int order;
            if ((value instanceof Long || value instanceof Integer) && integer != null) {
                order = Long.compare(((Number) value).longValue(), integer);
            } else if (value instanceof Long || value instanceof Integer || value instanceof Double || value instanceof Float) {
                double number = ((Number) value).doubleValue();
                if (Double.isNaN(number)) {
                    // As CEL has it: NaN is neither less, greater nor equal.
                    return Formula.of(function.equals("_!=_"));
                }
                order = number < constant ? -1 : number > constant ? 1 : 0;
            } else {
                return Formula.ERROR;
            }
            return Formula.of(switch (function) {
                case "_<_" -> order < 0;
                case "_<=_" -> order <= 0;
                case "_>_" -> order > 0;
                case "_>=_" -> order >= 0;
                case "_==_" -> order == 0;
                default -> order != 0;
            });
        }
    }

    /** A constant key in a map or list fact ({@code 'shoes' in interest.categoryViews}). */
    static final class Member extends OnFact {
        private final String element;

        Member(String key, int fact, String element) {
            super(key, fact);
            this.element = element;
        }

        String element() {
            return element;
        }

        @Override
        byte value(Facts.Input input) {
            return contains(input.value(fact()), element);
        }

        /** CEL's {@code element in container}: a map's key or a list's element; an error for anything else. */
        static byte contains(Object container, Object element) {
            if (container instanceof Map<?, ?> map) {
                return Formula.of(map.containsKey(element));
            }
            return container instanceof Collection<?> list ? Formula.of(list.contains(element)) : Formula.ERROR;
        }
    }

    /**
     * {@code m.exists(k, p)} or {@code m.all(k, p)} over a map fact whose body reads the map only as the
     * key's entry ({@code m[k]}): a per-entry test, so a user's count of entries that decide (hold for
     * exists, fail for all) and of entries in error changes only with the entries that changed
     * ({@link LastResults} keeps the counts). A body may also read other facts, its context
     * ({@code !(k in cart.categories)}): when one of those changes, every entry is tested again. CEL's
     * rules: a deciding entry decides, else an error stands; a map over {@value #MAX_ENTRIES} entries is
     * an error, as the interpreter's limit has it.
     */
    static final class Entries extends OnFact {
        static final int MAX_ENTRIES = 10_000;
        /** Counts below this are remembered in arrays. */
        static final int SMALL_COUNTS = 64;

        private final String factName;
        private final String iterVar;
        private final CelRuntime.Program body;
        /** {@code all} (an entry decides by failing) rather than {@code exists} (by holding). */
        private final boolean all;
        /** The other facts the body reads (positions in {@link Facts#ALL}), and their names. */
        private final int[] context;
        private final String[] contextNames;
        private final ResultMemory memory = new ResultMemory();
        /**
         * For a body with context that is an {@code &&} (or an {@code ||}) with parts that read only the
         * entry ({@code m[k] > 3} in {@code m[k] > 3 && !(k in cart.categories)}): those parts, which decide
         * the body when one of them is false (true), remembered by key and value alone as a body without
         * context is; the whole body is evaluated only when they do not decide. Empty otherwise.
         */
        private final List<CelRuntime.Program> guards;
        private final byte guardDeciding;
        private final ResultMemory guardMemory = new ResultMemory();
        /**
         * When every part of the body that reads context is the key's membership in another fact
         * ({@code !(k in cart.categories)}): those parts, tested in place of CEL's run of the whole body
         * (a user's context is seldom another's, so remembering whole-body results missed). Empty otherwise.
         */
        private final KeyIn[] keyTests;
        /**
         * The parts of the body that read only the key ({@code c.startsWith('shoes')} in
         * {@code c.startsWith('shoes') && m[c] >= 10}): when one of them decides the body for a key, the
         * body has the same value whatever the entry's, so a change of the entry changes nothing.
         */
        private final List<CelRuntime.Program> keyParts;

        /** {@code k in fact}, or with {@code negated} {@code !(k in fact)}, for the comprehension's key {@code k}. */
        record KeyIn(int fact, boolean negated) {
            byte value(Object key, Facts.Input input) {
                byte contained = Member.contains(input.value(fact), key);
                return negated ? Formula.negated(contained) : contained;
            }
        }

        Entries(String key, int fact, String factName, String iterVar, CelRuntime.Program body, boolean all,
                int[] context, boolean and, List<CelRuntime.Program> keyParts, List<CelRuntime.Program> guards,
                List<KeyIn> keyTests) {
            super(key, fact);
            this.factName = factName;
            this.iterVar = iterVar;
            this.body = body;
            this.all = all;
            this.context = context.clone();
            this.contextNames = Arrays.stream(context).mapToObj(read -> Facts.ALL.get(read).name()).toArray(String[]::new);
            this.guards = List.copyOf(guards);
            this.guardDeciding = and ? Formula.FALSE : Formula.TRUE;
            this.keyParts = List.copyOf(keyParts);
            this.keyTests = keyTests.toArray(KeyIn[]::new);
        }

        /**
         * Whether a part of the body that reads only the key decides the body for {@code key}: its value
         * is then the same for every value of the entry (and every context).
         */
        boolean decidedByKey(Object key) {
            for (CelRuntime.Program part : keyParts) {
                if (test(part, key, null, null) == guardDeciding) {
                    return true;
                }
            }
            return false;
        }

        /** The body's parts tested without CEL: empty unless every part that reads context is one. */
        List<KeyIn> keyTests() {
            return List.of(keyTests);
        }

        /** The other facts the body reads: a change of one of them tests every entry again. */
        int[] context() {
            return context.clone();
        }

        @Override
        int[] reads() {
            int[] reads = Arrays.copyOf(context, context.length + 1);
            reads[context.length] = fact();
            return reads;
        }

        @Override
        byte value(Facts.Input input) {
            Object value = input.value(fact());
            if (!(value instanceof Map<?, ?> map)) {
                return Formula.ERROR;
            }
            int deciding = 0;
            int errors = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                byte tested = entry(entry.getKey(), entry.getValue(), input);
                deciding += decides(tested) ? 1 : 0;
                errors += tested == Formula.ERROR ? 1 : 0;
            }
            return of(deciding, errors, map.size());
        }

        /**
         * The body's value for one entry under {@code input}'s context, remembered by key, value and
         * context: entries (and empty carts) are shared by many users.
         */
        byte entry(Object key, Object value, Facts.Input input) {
            return entry(key, value, input, null, 0);
        }

        /**
         * {@link #entry(Object, Object, Facts.Input)}, the test of the entry alone (the body without context,
         * or its guards) remembered in {@code known} from {@code offset} when the value is a small count (a
         * catalog snapshot keeps such an array per key for all the comprehensions over a fact, see
         * {@link SegmentCatalog.Snapshot#entryTests}).
         */
        byte entry(Object key, Object value, Facts.Input input, byte[] known, int offset) {
            if (context.length == 0) {
                return withoutContext(key, value, known, offset, memory, () -> test(body, key, value, null));
            }
            byte guarded = guards.isEmpty() ? Formula.negated(guardDeciding)
                    : withoutContext(key, value, known, offset, guardMemory, () -> guarded(key, value));
            if (guarded == guardDeciding) {
                return guardDeciding;
            }
            if (keyTests.length > 0) {
                return keyTested(key, input, guarded == Formula.ERROR);
            }
            Object[] contextValues = new Object[context.length];
            for (int i = 0; i < context.length; i++) {
                contextValues[i] = input.value(context[i]);
            }
            return memory.result(new EntryValues(key, value, Arrays.asList(contextValues)),
                    () -> test(body, key, value, contextValues));
        }

        /**
         * A test of the entry alone, remembered in {@code known} from {@code offset} when the value is a
         * small count (0: not yet tested, else the value plus one), else in {@code remembered}.
         */
        private static byte withoutContext(Object key, Object value, byte[] known, int offset, ResultMemory remembered,
                Supplier<Byte> test) {
            if (known == null || !(value instanceof Long count && count >= 0 && count < SMALL_COUNTS)) {
                return remembered.result(new EntryValues(key, value, List.of()), test);
            }
            int index = offset + count.intValue();
            // Two threads may both test an entry: same result.
            if (known[index] == 0) {
                known[index] = (byte) (test.get() + 1);
            }
            return (byte) (known[index] - 1);
        }

        /**
         * The body's value from its key tests, its guards having not decided ({@code guardError}: they are
         * in error): the junction of all its parts, with CEL's errors.
         */
        private byte keyTested(Object key, Facts.Input input, boolean guardError) {
            boolean error = guardError;
            for (KeyIn test : keyTests) {
                byte tested = test.value(key, input);
                if (tested == guardDeciding) {
                    return guardDeciding;
                }
                error |= tested == Formula.ERROR;
            }
            return error ? Formula.ERROR : Formula.negated(guardDeciding);
        }

        /** The guards' value for one entry: their {@code &&} (or {@code ||}), with CEL's errors. */
        private byte guarded(Object key, Object value) {
            boolean error = false;
            for (CelRuntime.Program guard : guards) {
                byte tested = test(guard, key, value, null);
                if (tested == guardDeciding) {
                    return guardDeciding;
                }
                error |= tested == Formula.ERROR;
            }
            return error ? Formula.ERROR : Formula.negated(guardDeciding);
        }

        /** A key, its entry and the context, as remembered (a record's hash mixes them; Map.Entry's XOR collides for "c-12"/1 and "c-13"/0). */
        private record EntryValues(Object key, Object value, List<Object> context) {}

        private byte test(CelRuntime.Program program, Object key, Object value, Object[] contextValues) {
            Map<Object, Object> single = Collections.singletonMap(key, value);
            try {
                Object result = program.eval(name -> Optional.ofNullable(name.equals(iterVar) ? key
                        : name.equals(factName) ? single : contextValue(name, contextValues)));
                return result instanceof Boolean flag ? Formula.of(flag) : Formula.ERROR;
            } catch (CelEvaluationException e) {
                return Formula.ERROR;
            }
        }

        private Object contextValue(String name, Object[] contextValues) {
            for (int i = 0; i < contextNames.length; i++) {
                if (contextNames[i].equals(name)) {
                    return contextValues[i];
                }
            }
            return null;
        }

        /** Whether an entry with this body value decides the comprehension. */
        boolean decides(byte tested) {
            return tested == (all ? Formula.FALSE : Formula.TRUE);
        }

        /** The comprehension's value from the counts of deciding entries and of entries in error. */
        byte of(int deciding, int errors, int size) {
            if (size > MAX_ENTRIES) {
                return Formula.ERROR;
            }
            if (deciding > 0) {
                return Formula.of(!all);
            }
            return errors > 0 ? Formula.ERROR : Formula.of(all);
        }
    }

    /** A bool fact by itself ({@code dwell.sessionActive}). */
    static final class Flag extends OnFact {
        Flag(String key, int fact) {
            super(key, fact);
        }

        @Override
        byte value(Facts.Input input) {
            Object value = input.value(fact());
            return value instanceof Boolean flag ? Formula.of(flag) : Formula.ERROR;
        }
    }

    /** Any other boolean expression, run by the CEL interpreter; results remembered by the values it reads. */
    static final class Expression extends Atom {
        private final CelRuntime.Program program;
        private final int[] reads;
        private final ResultMemory memory = new ResultMemory();

        Expression(String key, CelRuntime.Program program, int[] reads) {
            super(key);
            this.program = program;
            this.reads = reads;
        }

        @Override
        int[] reads() {
            return reads.clone();
        }

        @Override
        byte value(Facts.Input input) {
            Object[] values = new Object[reads.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = input.value(reads[i]);
            }
            return memory.result(Arrays.asList(values), () -> evaluate(input));
        }

        private byte evaluate(Facts.Input input) {
            try {
                Object result = program.eval(name -> Optional.ofNullable(input.value(name)));
                return result instanceof Boolean flag ? Formula.of(flag) : Formula.ERROR;
            } catch (CelEvaluationException e) {
                return Formula.ERROR;
            }
        }
    }
}
