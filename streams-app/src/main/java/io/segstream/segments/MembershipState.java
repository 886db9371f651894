package io.segstream.segments;

import io.segstream.avro.Membership;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * A user's current segments (part of the user's state), with the definition version that put them
 * there. Not changed once built: an evaluation that changes a user's segments makes a new one, so
 * its encoding is computed once and reused while it is the user's membership. Held as names in
 * ascending order with their members at the same positions: a change copies two short arrays and
 * keeps the {@link Membership} records already made for the segments it does not touch, which the
 * user's {@code UserSegments} record lists again at every change.
 */
public final class MembershipState {

    /** One segment held. The output topic is kept so an exit can still be routed after retirement. */
    public record Member(long version, long since, String outputTopic) {}

    private static final String[] NO_NAMES = {};
    private static final Member[] NO_MEMBERS = {};

    private final String[] names;
    private final Member[] members;
    /** The Avro record of each member, made when first listed (null until then). */
    private final Membership[] records;
    /** The segments as a map, made when first asked for. */
    private SortedMap<String, Member> view;
    /** The Avro encoding of the segments, once written. */
    private byte[] encoded;
    /** The user's last condition results, handed on to the membership that replaces this one; never encoded. */
    final LastResults lastResults;

    public MembershipState() {
        this(NO_NAMES, NO_MEMBERS, new Membership[0], new LastResults());
    }

    private MembershipState(String[] names, Member[] members, Membership[] records, LastResults lastResults) {
        this.names = names;
        this.members = members;
        this.records = records;
        this.lastResults = lastResults;
    }

    /** {@code segments} as a membership that hands on {@code last}. */
    static MembershipState of(SortedMap<String, Member> segments, LastResults last) {
        return new MembershipState(segments.keySet().toArray(String[]::new), segments.values().toArray(Member[]::new),
                new Membership[segments.size()], last);
    }

    /** The segments held, by name (unmodifiable). */
    public SortedMap<String, Member> segments() {
        if (view == null) {
            TreeMap<String, Member> map = new TreeMap<>();
            forEach(map::put);
            view = Collections.unmodifiableSortedMap(map);
        }
        return view;
    }

    public int size() {
        return names.length;
    }

    public boolean holds(String segment) {
        return Arrays.binarySearch(names, segment) >= 0;
    }

    /** The member of {@code segment}, or null when the user does not hold it. */
    public Member member(String segment) {
        int at = Arrays.binarySearch(names, segment);
        return at >= 0 ? members[at] : null;
    }

    /** Each segment held and its member, by ascending name. */
    public void forEach(BiConsumer<String, Member> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], members[i]);
        }
    }

    /** Whether {@code other} holds the same segments with the same members. */
    public boolean sameAs(MembershipState other) {
        return this == other || Arrays.equals(names, other.names) && Arrays.equals(members, other.members);
    }

    /** Whether {@code other} holds the same segments, whatever their members. */
    boolean sameSegments(MembershipState other) {
        return Arrays.equals(names, other.names);
    }

    /**
     * This membership without the segments {@code leaving} (each held, in ascending order) and with those
     * {@code entering} (none held), handing on the same last results.
     */
    MembershipState changed(List<String> leaving, SortedMap<String, Member> entering) {
        int matched = 0;
        for (int i = 0; i < names.length && matched < leaving.size(); i++) {
            matched += names[i].equals(leaving.get(matched)) ? 1 : 0;
        }
        if (matched != leaving.size()) {
            throw new IllegalArgumentException("leaving " + leaving + " must be held, in ascending order; held "
                    + Arrays.toString(names));
        }
        int size = names.length - leaving.size() + entering.size();
        String[] nextNames = new String[size];
        Member[] nextMembers = new Member[size];
        Membership[] nextRecords = new Membership[size];
        var incoming = entering.entrySet().iterator();
        Map.Entry<String, Member> next = incoming.hasNext() ? incoming.next() : null;
        int left = 0;
        int at = 0;
        for (int i = 0; i < names.length; i++) {
            while (next != null && next.getKey().compareTo(names[i]) < 0) {
                nextNames[at] = next.getKey();
                nextMembers[at++] = next.getValue();
                next = incoming.hasNext() ? incoming.next() : null;
            }
            if (next != null && next.getKey().equals(names[i])) {
                throw new IllegalArgumentException(names[i] + " is held already");
            }
            if (left < leaving.size() && leaving.get(left).equals(names[i])) {
                left++;
            } else {
                nextNames[at] = names[i];
                nextMembers[at] = members[i];
                nextRecords[at++] = records[i];
            }
        }
        while (next != null) {
            nextNames[at] = next.getKey();
            nextMembers[at++] = next.getValue();
            next = incoming.hasNext() ? incoming.next() : null;
        }
        return new MembershipState(nextNames, nextMembers, nextRecords, lastResults);
    }

    /** The segments as the Avro records of a {@code UserSegments} (unmodifiable). */
    public List<Membership> records() {
        for (int i = 0; i < names.length; i++) {
            if (records[i] == null) {
                records[i] = new Membership(names[i], members[i].version(), Instant.ofEpochMilli(members[i].since()));
            }
        }
        return Collections.unmodifiableList(Arrays.asList(records));
    }

    public void write(Encoder out) throws IOException {
        if (encoded == null) {
            encoded = StateEncoding.encoded(out, encoder -> StateEncoding.writeArray(encoder, names.length, (inner, i) -> {
                inner.writeString(names[i]);
                inner.writeLong(members[i].version());
                inner.writeLong(members[i].since());
                StateEncoding.writeNullableString(inner, members[i].outputTopic());
            }));
        }
        out.writeFixed(encoded);
    }

    /** Reads past an encoded membership without making its segments: for the parts of a record after it. */
    public static void skip(Decoder in) throws IOException {
        StateEncoding.readArray(in, decoder -> {
            decoder.skipString();
            decoder.readLong();
            decoder.readLong();
            if (decoder.readIndex() == 0) {
                decoder.readNull();
            } else {
                decoder.skipString();
            }
        });
    }

    public static MembershipState read(Decoder in) throws IOException {
        TreeMap<String, Member> segments = new TreeMap<>();
        StateEncoding.readArray(in, decoder -> segments.put(decoder.readString(),
                new Member(decoder.readLong(), decoder.readLong(), StateEncoding.readNullableString(decoder))));
        return of(segments, new LastResults());
    }
}
