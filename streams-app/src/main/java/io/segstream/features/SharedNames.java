package io.segstream.features;

/**
 * One instance of each of the few distinct names that many users' states hold (product categories,
 * currencies), handed out in place of the copy each event or decoded record brings. A user's state
 * then points at strings every user shares, which stay in the processor's cache and live in the old
 * generation, instead of keeping strings of its own; and a lookup among a user's categories compares
 * references before it reads any string's contents.
 *
 * <p>Direct-mapped and bounded: a name whose slot another name holds takes the slot, and the one
 * before it is handed out no more (both stay correct, only not shared), so input with unboundedly
 * many names cannot grow it. Safe from any thread without locks: a slot holds an immutable string,
 * read or replaced whole.
 */
final class SharedNames {

    private static final int SLOT_BITS = 12;
    private static final String[] NAMES = new String[1 << SLOT_BITS];

    private SharedNames() {}

    /** The shared instance equal to {@code name} (null for null); {@code name} itself when none is shared yet. */
    static String of(String name) {
        if (name == null) {
            return null;
        }
        int slot = (name.hashCode() * 0x9E3779B9) >>> (Integer.SIZE - SLOT_BITS);
        String shared = NAMES[slot];
        if (name.equals(shared)) {
            return shared;
        }
        NAMES[slot] = name;
        return name;
    }
}
