package io.segstream.segments;

import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A condition's logic over its {@link Atom}s: the {@code &&}, {@code ||} and {@code !} of CEL, with
 * CEL's treatment of errors, which a deciding operand absorbs ({@code false && error} is false,
 * {@code true || error} is true, otherwise the error stands, and a condition that ends in an error does
 * not hold). Leaves refer to atoms by their position in a catalog snapshot ({@link #link}).
 */
abstract sealed class Formula {

    static final byte FALSE = 0;
    static final byte TRUE = 1;
    static final byte ERROR = 2;

    static byte of(boolean value) {
        return value ? TRUE : FALSE;
    }

    /** The value given each atom's value, by position. */
    abstract byte value(byte[] atoms);

    /** The same formula over positions: {@code position} gives each atom's. */
    abstract Formula link(ToIntFunction<Atom> position);

    /** The atoms, depth first; an atom used twice is listed twice. */
    abstract void atoms(List<Atom> into);

    static Formula atom(Atom atom) {
        return new Leaf(atom, -1);
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

    private static final class Leaf extends Formula {
        private final Atom atom;
        private final int position;

        Leaf(Atom atom, int position) {
            this.atom = atom;
            this.position = position;
        }

        @Override
        byte value(byte[] atoms) {
            return atoms[position];
        }

        @Override
        Formula link(ToIntFunction<Atom> positions) {
            return new Leaf(atom, positions.applyAsInt(atom));
        }

        @Override
        void atoms(List<Atom> into) {
            into.add(atom);
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
        byte value(byte[] atoms) {
            // The value that decides: false for &&, true for ||.
            byte deciding = all ? FALSE : TRUE;
            boolean error = false;
            for (Formula part : parts) {
                byte value = part.value(atoms);
                if (value == deciding) {
                    return deciding;
                }
                error |= value == ERROR;
            }
            return error ? ERROR : of(all);
        }

        @Override
        Formula link(ToIntFunction<Atom> positions) {
            Formula[] linked = new Formula[parts.length];
            for (int i = 0; i < parts.length; i++) {
                linked[i] = parts[i].link(positions);
            }
            return new Junction(linked, all);
        }

        @Override
        void atoms(List<Atom> into) {
            for (Formula part : parts) {
                part.atoms(into);
            }
        }
    }

    private static final class Not extends Formula {
        private final Formula part;

        Not(Formula part) {
            this.part = part;
        }

        @Override
        byte value(byte[] atoms) {
            byte value = part.value(atoms);
            return value == ERROR ? ERROR : of(value == FALSE);
        }

        @Override
        Formula link(ToIntFunction<Atom> positions) {
            return new Not(part.link(positions));
        }

        @Override
        void atoms(List<Atom> into) {
            part.atoms(into);
        }
    }
}
