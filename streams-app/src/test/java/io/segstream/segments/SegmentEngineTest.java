package io.segstream.segments;

import static io.segstream.testing.Definitions.segment;
import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.purchase;
import static io.segstream.testing.Events.remove;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.Membership;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.avro.UserSegments;
import io.segstream.testing.PipelineDriver;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SegmentEngineTest {

    private static final Instant T0 = at("2026-11-20T10:00:00Z");

    // Sweeps run every 10 s of wall clock; a full pass over these few users fits in one batch.
    private final PipelineDriver pipeline = new PipelineDriver(Map.of("reevaluate.interval", "60s",
            "punctuation.interval", "10s"));

    @AfterEach
    void close() {
        pipeline.close();
    }

    private static SegmentChange change(String user, String segment, SegmentChangeKind kind, ChangeTrigger trigger,
            Instant eventTime, long version, Map<String, Object> features) {
        return SegmentChange.newBuilder().setUserId(user).setSegment(segment).setKind(kind).setTrigger(trigger)
                .setEventTime(eventTime).setEmittedAt(PipelineDriver.WALL_CLOCK_START).setDefinitionVersion(version)
                .setFeatures(new java.util.TreeMap<>(features)).build();
    }

    @Test
    void aUserEntersWhenTheConditionStartsToHoldAndExitsWhenItStops() {
        pipeline.define("cart-holders", segment("cart-holders", "cart.items > 0", 1).setOutputTopic("segment.cart-holders").build());

        pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0));
        pipeline.click(remove("e2", "u1", "sku-1", 2, T0.plusSeconds(60)));

        List<TestRecord<String, SegmentChange>> changes = pipeline.changes.readRecordsToList();
        assertThat(changes).extracting(TestRecord::key).containsExactly("u1", "u1");
        assertThat(changes).extracting(TestRecord::value).containsExactly(
                change("u1", "cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0, 1, Map.of("cart.items", 2L)),
                change("u1", "cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.EVENT, T0.plusSeconds(60), 1,
                        Map.of("cart.items", 0L)));
        // No internal routing header leaks to the consumers of either topic.
        assertThat(changes).allSatisfy(record -> assertThat(record.headers().toArray()).isEmpty());
        List<TestRecord<String, SegmentChange>> routed = pipeline.segmentTopic("segment.cart-holders").readRecordsToList();
        assertThat(routed).extracting(TestRecord::value).containsExactlyElementsOf(
                changes.stream().map(TestRecord::value).toList());
        assertThat(routed).allSatisfy(record -> assertThat(record.headers().toArray()).isEmpty());
        assertThat(pipeline.memberships.readValuesToList()).containsExactly(
                UserSegments.newBuilder().setUserId("u1").setUpdatedAt(T0).setSegments(List.of(Membership.newBuilder()
                        .setSegment("cart-holders").setDefinitionVersion(1).setSince(T0).build())).build(),
                UserSegments.newBuilder().setUserId("u1").setUpdatedAt(T0.plusSeconds(60)).setSegments(List.of()).build());
    }

    @Test
    void eachChangeCarriesTheFactsItsConditionReadsWithMapsFlattenedAndListsJoined() {
        pipeline.define("shoe-browsers", segment("shoe-browsers", "interest.categoryViews['shoes'] >= 2", 1).build());
        pipeline.define("shoe-carts", segment("shoe-carts", "interest.categoryViews['shoes'] >= 2 && cart.items >= 1"
                + " && 'boots' in cart.categories", 1).build());

        pipeline.click(io.segstream.testing.Events.view("v1", "u1", "s1", "shoes", T0));
        pipeline.click(io.segstream.testing.Events.view("v2", "u1", "s1", "bags", T0.plusSeconds(1)));
        pipeline.click(io.segstream.avro.ClickEvent.newBuilder(add("e1", "u1", "sku-1", 1, "10.00", T0.plusSeconds(2)))
                .setCategory("boots").build());
        // One event makes both conditions hold: one evaluation emits both changes.
        pipeline.click(io.segstream.testing.Events.view("v3", "u1", "s1", "shoes", T0.plusSeconds(3)));

        Map<String, Object> views = Map.of("interest.categoryViews.shoes", 2L, "interest.categoryViews.bags", 1L);
        Map<String, Object> viewsAndCart = new java.util.HashMap<>(views);
        viewsAndCart.putAll(Map.of("cart.items", 1L, "cart.categories", "boots"));
        assertThat(pipeline.changes.readValuesToList()).containsExactly(
                change("u1", "shoe-browsers", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(3), 1, views),
                change("u1", "shoe-carts", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT, T0.plusSeconds(3), 1, viewsAndCart));
    }

    @Test
    void repeatedEvaluationsThatChangeNothingEmitNothing() {
        pipeline.define("browsers", segment("browsers", "interest.totalViews >= 1", 1).build());

        for (int i = 0; i < 5; i++) {
            pipeline.click(io.segstream.testing.Events.view("v" + i, "u1", "s1", "shoes", T0.plusSeconds(i)));
        }
        pipeline.click(click("x", "other", ClickEventType.PAGE_VIEW, T0.plusSeconds(600)).build());

        assertThat(pipeline.changes.readValuesToList()).extracting(SegmentChange::getKind)
                .containsExactly(SegmentChangeKind.ENTERED);
        assertThat(pipeline.memberships.getQueueSize()).isEqualTo(1);
        assertThat(pipeline.instance().segments().evaluations()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void anExclusiveGroupHoldsTheHighestPriorityMatchElseItsFallback() {
        pipeline.define("vip", segment("vip", "rfm.monetary >= 100.0", 1).setExclusiveGroup("tier").setPriority(20).build());
        pipeline.define("buyer", segment("buyer", "rfm.frequency >= 1", 1).setExclusiveGroup("tier").setPriority(10).build());
        pipeline.define("visitor", segment("visitor", "true", 1).setExclusiveGroup("tier").setFallback(true).build());

        pipeline.click(click("e1", "u1", ClickEventType.PAGE_VIEW, T0).build());
        pipeline.order(purchase("o1", "u1", "30.00", T0.plusSeconds(10)));
        pipeline.order(purchase("o2", "u1", "80.00", T0.plusSeconds(20)));

        assertThat(pipeline.changes.readValuesToList())
                .extracting(change -> change.getSegment() + " " + change.getKind())
                .containsExactly("visitor ENTERED", "visitor EXITED", "buyer ENTERED", "buyer EXITED", "vip ENTERED");
        List<UserSegments> memberships = pipeline.memberships.readValuesToList();
        assertThat(memberships.get(memberships.size() - 1).getSegments()).extracting(Membership::getSegment)
                .containsExactly("vip");
    }

    @Test
    void aChangedDefinitionIsAppliedToEveryStoredUserWithoutNewEvents() {
        pipeline.define("spenders", segment("spenders", "rfm.monetary >= 50.0", 1).build());
        pipeline.order(purchase("o1", "u1", "60.00", T0));
        pipeline.order(purchase("o2", "u2", "20.00", T0));
        assertThat(pipeline.changes.readValuesToList()).extracting(SegmentChange::getUserId).containsExactly("u1");

        pipeline.define("spenders", segment("spenders", "rfm.monetary >= 10.0 && rfm.monetary < 50.0", 2).build());
        // No events from u1 or u2: the wall-clock paced sweep re-evaluates them.
        pipeline.advanceWallClock(java.time.Duration.ofSeconds(10));

        assertThat(pipeline.changes.readValuesToList()).extracting(
                        change -> change.getUserId() + " " + change.getKind() + " v" + change.getDefinitionVersion() + " "
                                + change.getTrigger())
                .containsExactlyInAnyOrder("u1 EXITED v2 DEFINITION_CHANGE", "u2 ENTERED v2 DEFINITION_CHANGE");
    }

    @Test
    void aRetiredDefinitionExitsItsMembers() {
        pipeline.define("buyers", segment("buyers", "rfm.frequency >= 1", 3).setOutputTopic("segment.buyers").build());
        pipeline.order(purchase("o1", "u1", "5.00", T0));
        pipeline.changes.readValuesToList();

        pipeline.define("buyers", null);
        pipeline.advanceWallClock(java.time.Duration.ofSeconds(10));

        SegmentChange exit = change("u1", "buyers", SegmentChangeKind.EXITED, ChangeTrigger.DEFINITION_CHANGE, T0, 3, Map.of());
        exit.put("emittedAt", PipelineDriver.WALL_CLOCK_START.plusSeconds(10));
        assertThat(pipeline.changes.readValuesToList()).containsExactly(exit);
        assertThat(pipeline.segmentTopic("segment.buyers").readValuesToList()).extracting(SegmentChange::getKind)
                .containsExactly(SegmentChangeKind.ENTERED, SegmentChangeKind.EXITED);
    }

    @Test
    void timeAloneMovesAUserOutWithinTheReevaluationInterval() {
        pipeline.define("recent-buyers", segment("recent-buyers", "rfm.recencyDays >= 0 && rfm.recencyDays < 7", 1).build());
        pipeline.order(purchase("o1", "u1", "5.00", T0));
        assertThat(pipeline.changes.readValuesToList()).extracting(SegmentChange::getKind)
                .containsExactly(SegmentChangeKind.ENTERED);

        // Seven days later in stream time, from someone else's traffic only.
        Instant weekLater = T0.plus(java.time.Duration.ofDays(7));
        pipeline.click(click("x1", "other", ClickEventType.PAGE_VIEW, weekLater).build());
        pipeline.advanceWallClock(java.time.Duration.ofSeconds(10));

        assertThat(pipeline.changes.readValuesToList()).singleElement().satisfies(change -> {
            assertThat(change.getKind()).isEqualTo(SegmentChangeKind.EXITED);
            assertThat(change.getTrigger()).isEqualTo(ChangeTrigger.TIME);
            assertThat(change.getFeatures()).containsEntry("rfm.recencyDays", 7L);
        });
    }
}
