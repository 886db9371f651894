package io.segstream.segments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormulaTest {

    private static final byte F = Formula.FALSE;
    private static final byte T = Formula.TRUE;
    private static final byte E = Formula.ERROR;
    private static final byte[] VALUES = {F, T, E};

    /**
     * Two conditions packed one after the other, over the same three atoms: every combination of atom
     * values gives CEL's result ({@code false && error} is false, {@code true || error} is true, an error
     * otherwise stands, {@code !error} is an error), for each slot.
     */
    @Test
    void packedFormulasCombineTheirAtomsAsCelDoes() {
        Formula first = Conditions.compile("cart.items > 1 && (rfm.frequency >= 2 || !(dwell.sessionActive))")
                .formula();
        Formula second = Conditions.compile("!(cart.items > 1 && rfm.frequency >= 2) || dwell.sessionActive").formula();
        List<Atom> atoms = new ArrayList<>();
        first.atoms(atoms);
        assertThat(atoms).hasSize(3);
        Formula.Packed.Builder builder = new Formula.Packed.Builder(2);
        List<String> keys = atoms.stream().map(Atom::key).toList();
        builder.add(first, atom -> keys.indexOf(atom.key()));
        builder.add(second, atom -> keys.indexOf(atom.key()));
        Formula.Packed packed = builder.build();

        int combinations = 0;
        for (byte items : VALUES) {
            for (byte frequency : VALUES) {
                for (byte active : VALUES) {
                    AtomValues values = new AtomValues(3);
                    values.set(0, items);
                    values.set(1, frequency);
                    values.set(2, active);
                    assertThat(packed.value(0, values)).as("first, atoms %s %s %s", items, frequency, active)
                            .isEqualTo(and(items, or(frequency, not(active))));
                    assertThat(packed.value(1, values)).as("second, atoms %s %s %s", items, frequency, active)
                            .isEqualTo(or(not(and(items, frequency)), active));
                    combinations++;
                }
            }
        }
        assertThat(combinations).isEqualTo(27);
    }

    private static byte and(byte a, byte b) {
        if (a == F || b == F) {
            return F;
        }
        return a == E || b == E ? E : T;
    }

    private static byte or(byte a, byte b) {
        if (a == T || b == T) {
            return T;
        }
        return a == E || b == E ? E : F;
    }

    private static byte not(byte a) {
        return a == E ? E : a == T ? F : T;
    }
}
