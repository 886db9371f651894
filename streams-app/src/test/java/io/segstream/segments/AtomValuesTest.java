package io.segstream.segments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Atom values in two bits each read back what was set, whatever was set before and wherever the atom lies. */
class AtomValuesTest {

    @Test
    void eachAtomReadsTheLastValueSetAndACopyIsIndependent() {
        Random random = new Random(11);
        int count = 200;
        AtomValues values = new AtomValues(count);
        byte[] expected = new byte[count];
        for (int step = 0; step < 20_000; step++) {
            int atom = random.nextInt(count);
            byte value = (byte) random.nextInt(3);
            values.set(atom, value);
            expected[atom] = value;
            int probe = random.nextInt(count);
            assertThat(values.get(probe)).as("atom %d", probe).isEqualTo(expected[probe]);
            assertThat(values.isFalse(probe)).as("atom %d false", probe).isEqualTo(expected[probe] == Formula.FALSE);
        }
        AtomValues copy = values.copy();
        for (int atom = 0; atom < count; atom++) {
            assertThat(copy.get(atom)).isEqualTo(expected[atom]);
            values.set(atom, expected[atom] == Formula.TRUE ? Formula.ERROR : Formula.TRUE);
            assertThat(copy.get(atom)).isEqualTo(expected[atom]);
        }
    }
}
