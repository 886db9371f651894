package io.segstream.segments;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.IntStream;

/**
 * A condition's logic over its {@link Atom}s: the {@code &&}, {@code ||} and {@code !} of CEL, with
 * CEL's treatment of errors, which a deciding operand absorbs ({@code false && error} is false,
 * {@code true || error} is true, otherwise the error stands, and a condition that ends in an error does
 * not hold). A snapshot packs its conditions' formulas over its atoms' positions ({@link Packed}).
 */
abstract sealed class Formula {

    static final byte FALSE = 0;
    static final byte TRUE = 1;
    static final byte ERROR = 2;

    static byte of(boolean value) {
        return value ? TRUE : FALSE;
    }

    /** CEL's {@code !}: an error stays one. */
    static byte negated(byte value) {
        return value == ERROR ? ERROR : of(value == FALSE);
    }

    /** The atoms, depth first; an atom used twice is listed twice. */
    abstract void atoms(List<Atom> into);

    /** Appends this formula to {@code into} as {@link Packed} code, each atom by {@code position}. */
    abstract void pack(Packed.Builder into, ToIntFunction<Atom> position);

    static Formula atom(Atom atom) {
        return new Leaf(atom);
    }

    static Formula and(List<Formula> parts) {
        return new Junction(parts.toArray(Formula[]::new), true);
    }

    static Formula or(List<Formula> parts) {
        return new Junction(parts.toArray(Formula[]::new), false);
    }

    static Formula not(Formula part) {
        return new Not(part);
    }

    /**
     * The formulas of a catalog snapshot, by slot, over atom positions, packed into one array: combining
     * a condition again reads a few adjacent words instead of following a tree of objects. Each node is
     * one word, its kind in the low two bits: an atom (the rest: its position), a {@code &&} or
     * {@code ||} (the rest: where its parts, which follow it, end) or a {@code !} (its part follows).
     */
    static final class Packed {
        private static final int ATOM = 0;
        private static final int AND = 1;
        private static final int OR = 2;
        private static final int NOT = 3;

        private final int[] code;
        /** By slot: where its formula starts. */
        private final int[] start;

        private Packed(int[] code, int[] start) {
            this.code = code;
            this.start = start;
        }

        /** The value of the formula in {@code slot} given each atom's value, by position. */
        byte value(int slot, AtomValues atoms) {
            return node(start[slot], atoms);
        }

        /** The value of the node at {@code at}. */
        private byte node(int at, AtomValues atoms) {
            int word = code[at];
            switch (word & 3) {
                case ATOM:
                    return atoms.get(word >>> 2);
                case NOT:
                    return negated(node(at + 1, atoms));
                default:
                    boolean all = (word & 3) == AND;
                    // The value that decides: false for &&, true for ||.
                    byte deciding = all ? FALSE : TRUE;
                    boolean error = false;
                    int end = word >>> 2;
                    for (int part = at + 1; part < end; part = end(part)) {
                        byte partValue = node(part, atoms);
                        if (partValue == deciding) {
                            return deciding;
                        }
                        error |= partValue == ERROR;
                    }
                    return error ? ERROR : of(all);
            }
        }

        /**
         * The positions of the atoms that are direct parts of the formula in {@code slot} when it is a
         * {@code &&} (each of them false makes it false, errors elsewhere included); none otherwise.
         */
        int[] conjunctAtoms(int slot) {
            int at = start[slot];
            int word = code[at];
            if ((word & 3) != AND) {
                return new int[0];
            }
            int end = word >>> 2;
            return IntStream.iterate(at + 1, part -> part < end, this::end)
                    .filter(part -> (code[part] & 3) == ATOM).map(part -> code[part] >>> 2).toArray();
        }

        /** Where the node at {@code at} ends. */
        private int end(int at) {
            int word = code[at];
            while ((word & 3) == NOT) {
                word = code[++at];
            }
            return (word & 3) == ATOM ? at + 1 : word >>> 2;
        }

        /** Packs formulas slot by slot. */
        static final class Builder {
            private int[] code = new int[64];
            private int size;
            private final int[] start;
            private int slots;

            Builder(int slots) {
                start = new int[slots];
            }

            void add(Formula formula, ToIntFunction<Atom> position) {
                start[slots++] = size;
                formula.pack(this, position);
            }

            Packed build() {
                return new Packed(Arrays.copyOf(code, size), start);
            }

            private int append(int kind, int rest) {
                if (size == code.length) {
                    code = Arrays.copyOf(code, 2 * size);
                }
                code[size] = kind | rest << 2;
                return size++;
            }

            private void endJunction(int at) {
                code[at] = (code[at] & 3) | size << 2;
            }
        }
    }

    private static final class Leaf extends Formula {
        private final Atom atom;

        Leaf(Atom atom) {
            this.atom = atom;
        }

        @Override
        void atoms(List<Atom> into) {
            into.add(atom);
        }

        @Override
        void pack(Packed.Builder into, ToIntFunction<Atom> position) {
            into.append(Packed.ATOM, position.applyAsInt(atom));
        }
    }

    /** {@code &&} ({@code all}) or {@code ||} of two or more parts. */
    private static final class Junction extends Formula {
        private final Formula[] parts;
        private final boolean all;

        Junction(Formula[] parts, boolean all) {
            this.parts = parts;
            this.all = all;
        }

        @Override
        void atoms(List<Atom> into) {
            for (Formula part : parts) {
                part.atoms(into);
            }
        }

        @Override
        void pack(Packed.Builder into, ToIntFunction<Atom> position) {
            int at = into.append(all ? Packed.AND : Packed.OR, 0);
            for (Formula part : parts) {
                part.pack(into, position);
            }
            into.endJunction(at);
        }
    }

    private static final class Not extends Formula {
        private final Formula part;

        Not(Formula part) {
            this.part = part;
        }

        @Override
        void atoms(List<Atom> into) {
            part.atoms(into);
        }

        @Override
        void pack(Packed.Builder into, ToIntFunction<Atom> position) {
            into.append(Packed.NOT, 0);
            part.pack(into, position);
        }
    }
}
