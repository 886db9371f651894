package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SharedNamesTest {

    @Test
    void equalNamesComeBackAsOneInstanceAndOthersAsThemselves() {
        String first = new String("garden-tools");
        String second = new String("garden-tools");

        assertThat(SharedNames.of(first)).isSameAs(first);
        assertThat(SharedNames.of(second)).isSameAs(first);
        String other = new String("garden-toolz");
        assertThat(SharedNames.of(other)).isSameAs(other);
        assertThat(SharedNames.of(null)).isNull();
    }

    @Test
    void manyMoreNamesThanSlotsStayCorrect() {
        for (int i = 0; i < 100_000; i++) {
            String name = "category-" + i;
            assertThat(SharedNames.of(new String(name))).isEqualTo(name);
        }
        String kept = SharedNames.of(new String("category-7"));
        assertThat(SharedNames.of(new String("category-7"))).isSameAs(kept);
    }
}
