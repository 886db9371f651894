package io.segstream.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.avro.Membership;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MembershipStateTest {

    private static MembershipState held(String... names) {
        TreeMap<String, MembershipState.Member> segments = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            segments.put(names[i], new MembershipState.Member(1, 1_000L * (i + 1), "segment." + names[i]));
        }
        return MembershipState.of(segments, new LastResults());
    }

    @Test
    void aChangeMergesTheEnteringIntoTheHeldInNameOrderAndDropsTheLeaving() {
        MembershipState before = held("alpha", "charlie", "echo");
        TreeMap<String, MembershipState.Member> entering = new TreeMap<>();
        entering.put("foxtrot", new MembershipState.Member(2, 9_000L, null));
        entering.put("bravo", new MembershipState.Member(3, 8_000L, "segment.bravo"));

        MembershipState after = before.changed(List.of("charlie"), entering);

        assertThat(after.segments().keySet()).containsExactly("alpha", "bravo", "echo", "foxtrot");
        assertThat(after.member("bravo")).isEqualTo(new MembershipState.Member(3, 8_000L, "segment.bravo"));
        assertThat(after.member("echo")).isEqualTo(new MembershipState.Member(1, 3_000L, "segment.echo"));
        assertThat(after.holds("charlie")).isFalse();
        assertThat(before.segments().keySet()).containsExactly("alpha", "charlie", "echo");
        assertThat(after.lastResults).isSameAs(before.lastResults);
    }

    @Test
    void theAvroRecordsOfSegmentsAChangeDoesNotTouchAreKept() {
        MembershipState before = held("alpha", "charlie");
        List<Membership> first = before.records();
        TreeMap<String, MembershipState.Member> entering = new TreeMap<>();
        entering.put("bravo", new MembershipState.Member(2, 5_000L, null));

        List<Membership> second = before.changed(List.of(), entering).records();

        assertThat(second).extracting(Membership::getSegment).containsExactly("alpha", "bravo", "charlie");
        assertThat(second.get(0)).isSameAs(first.get(0));
        assertThat(second.get(2)).isSameAs(first.get(1));
        assertThat(second.get(1)).isEqualTo(new Membership("bravo", 2L, Instant.ofEpochMilli(5_000L)));
    }

    @Test
    void leavingASegmentNotHeldOrEnteringOneHeldIsRefused() {
        MembershipState before = held("alpha", "charlie");
        TreeMap<String, MembershipState.Member> entering = new TreeMap<>();
        entering.put("alpha", new MembershipState.Member(2, 5_000L, null));

        assertThatThrownBy(() -> before.changed(List.of(), entering)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpha is held already");
        assertThatThrownBy(() -> before.changed(List.of("charlie", "alpha"), new TreeMap<>()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ascending order");
    }
}
