package io.segstream.segments;

import java.util.TreeMap;

/** A user's current segments (store {@code membership}), with the definition version that put them there. */
public final class MembershipState {

    /** One segment held. The output topic is kept so an exit can still be routed after retirement. */
    public record Member(long version, long since, String outputTopic) {}

    TreeMap<String, Member> segments = new TreeMap<>();

    public TreeMap<String, Member> segments() {
        return segments;
    }
}
