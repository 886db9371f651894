package io.segstream.features;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The keys of a user's latest sessions, oldest first, at most a fixed number (part of {@link DwellState}):
 * switching back to an open tab's session does not count it again. Each new session key of the user is
 * looked for among them. A key's hash is kept next to it, in an array of its own (in memory only): the
 * lookup compares hashes and reads a key only when its hash matches, instead of reading every key, each
 * an object of its own somewhere in the heap.
 */
final class SessionKeys implements Iterable<String> {

    private final String[] keys;
    private final int[] hashes;
    /** The slot of the oldest key; the keys follow it, wrapping around. */
    private int oldest;
    private int size;

    SessionKeys(int max) {
        keys = new String[max];
        hashes = new int[max];
    }

    boolean contains(String key) {
        int hash = key.hashCode();
        for (int i = 0; i < size; i++) {
            int slot = slot(i);
            if (hashes[slot] == hash && keys[slot].equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Adds {@code key} as the latest, dropping the oldest when there are as many as the maximum already. */
    void add(String key) {
        if (size == keys.length) {
            oldest = slot(1);
            size--;
        }
        int slot = slot(size);
        keys[slot] = key;
        hashes[slot] = key.hashCode();
        size++;
    }

    int size() {
        return size;
    }

    /** The {@code i}-th key, oldest first. */
    String get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return keys[slot(i)];
    }

    SessionKeys copy() {
        SessionKeys copy = new SessionKeys(keys.length);
        for (int i = 0; i < size; i++) {
            copy.add(get(i));
        }
        return copy;
    }

    private int slot(int i) {
        int slot = oldest + i;
        return slot < keys.length ? slot : slot - keys.length;
    }

    @Override
    public Iterator<String> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return get(next++);
            }
        };
    }
}
