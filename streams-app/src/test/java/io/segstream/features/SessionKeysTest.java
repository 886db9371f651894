package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SessionKeysTest {

    @Test
    void keepsTheLatestKeysOldestFirstAndFindsOnlyThose() {
        SessionKeys keys = new SessionKeys(3);
        keys.add("s:a");
        keys.add("s:b");
        assertThat(keys).containsExactly("s:a", "s:b");

        keys.add("s:c");
        keys.add("s:d");
        keys.add("s:e");

        assertThat(keys).containsExactly("s:c", "s:d", "s:e");
        assertThat(keys.size()).isEqualTo(3);
        assertThat(keys.get(0)).isEqualTo("s:c");
        assertThat(keys.contains("s:d")).isTrue();
        assertThat(keys.contains(new String("s:e"))).isTrue();
        assertThat(keys.contains("s:a")).isFalse();
        assertThat(keys.contains("s:b")).isFalse();
        assertThatThrownBy(() -> keys.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aKeyWhoseHashMatchesAnotherIsStillComparedWhole() {
        // "Aa" and "BB" have the same String hash code.
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        SessionKeys keys = new SessionKeys(4);
        keys.add("Aa");

        assertThat(keys.contains("BB")).isFalse();
        assertThat(keys.contains("Aa")).isTrue();
    }

    @Test
    void aCopyGoesOnWithoutTheOriginal() {
        SessionKeys keys = new SessionKeys(2);
        keys.add("g:1");
        keys.add("g:2");
        keys.add("g:3");
        SessionKeys copy = keys.copy();

        copy.add("g:4");

        assertThat(keys).containsExactly("g:2", "g:3");
        assertThat(copy).containsExactly("g:3", "g:4");
    }
}
