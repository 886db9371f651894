package io.segstream.segments;

/**
 * A user's value of each atom of a catalog snapshot ({@link Formula#FALSE}, {@link Formula#TRUE} or
 * {@link Formula#ERROR}), by position, in two bits: the atoms of a thousand definitions take a few
 * cache lines instead of a few kilobytes, which an evaluation reads at scattered positions (the
 * atoms of each condition it combines, the guards it looks at).
 */
final class AtomValues {

    /** For atoms {@code 64w} to {@code 64w + 63}: at {@code 2w} which are true, at {@code 2w + 1} which are errors. */
    private final long[] words;

    /** {@code count} atoms, each false. */
    AtomValues(int count) {
        this(new long[2 * ((count + 63) >>> 6)]);
    }

    private AtomValues(long[] words) {
        this.words = words;
    }

    byte get(int atom) {
        int word = (atom >>> 6) << 1;
        // TRUE is 1 and ERROR 2, never both: the true bit, or the error bit one place up.
        return (byte) ((words[word] >>> atom & 1) | (words[word + 1] >>> atom & 1) << 1);
    }

    /** Whether the atom is false (neither true nor an error). */
    boolean isFalse(int atom) {
        int word = (atom >>> 6) << 1;
        return ((words[word] | words[word + 1]) & 1L << atom) == 0;
    }

    void set(int atom, byte value) {
        int word = (atom >>> 6) << 1;
        long bit = 1L << atom;
        words[word] = value == Formula.TRUE ? words[word] | bit : words[word] & ~bit;
        words[word + 1] = value == Formula.ERROR ? words[word + 1] | bit : words[word + 1] & ~bit;
    }

    AtomValues copy() {
        return new AtomValues(words.clone());
    }
}
