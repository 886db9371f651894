package io.segstream.privacy;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.segstream.avro.ChangeTrigger;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.PrivacyAudit;
import io.segstream.avro.PrivacyOutcome;
import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.PrivacyRequestType;
import io.segstream.avro.SegmentChange;
import io.segstream.avro.SegmentChangeKind;
import io.segstream.config.SegStreamConfig;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.dlq.DeadLetters;
import io.segstream.testing.Definitions;
import io.segstream.testing.HeaderText;
import io.segstream.testing.PipelineDriver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Consent changes and erasure through privacy.requests, end to end in the production topology. */
class PrivacyRequestsTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final String AUDIT_KEY = "test-audit-key";

    private static PipelineDriver pipeline(Map<String, String> overrides) {
        Map<String, String> values = new java.util.HashMap<>(overrides);
        values.put(SegStreamConfig.PRIVACY_AUDIT_KEY, AUDIT_KEY);
        PipelineDriver pipeline = new PipelineDriver(values);
        // Needs consent (the default): cart holders, routed to their own topic. Does not: active shoppers.
        pipeline.define("cart-holders", Definitions.segment("cart-holders", "cart.items > 0", 1)
                .setOutputTopic("segment.cart-holders").build());
        pipeline.define("shoppers", Definitions.segment("shoppers", "dwell.sessions >= 1", 1)
                .setRequiresConsent(false).build());
        return pipeline;
    }

    private static PrivacyRequest request(String id, String user, PrivacyRequestType type, Instant at) {
        return PrivacyRequest.newBuilder().setRequestId(id).setUserId(user).setType(type).setRequestedAt(at).build();
    }

    /** The HMAC-SHA256 of {@code user} under the test key, computed here with the JDK, not with the code under test. */
    private static String hmac(String user) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(AUDIT_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(user.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<org.assertj.core.groups.Tuple> kinds(List<SegmentChange> changes) {
        return changes.stream().map(change -> tuple(change.getSegment(), change.getKind(), change.getTrigger())).toList();
    }

    @Test
    void withdrawingConsentExitsTheSegmentsThatNeedItAtOnceAndGrantingItLetsTheUserBackIn() throws Exception {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0));
            assertThat(kinds(pipeline.changes.readValuesToList())).containsExactlyInAnyOrder(
                    tuple("cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT),
                    tuple("shoppers", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT));
            pipeline.memberships.readRecordsToList();
            pipeline.segmentTopic("segment.cart-holders").readRecordsToList();

            Instant withdrawnAt = T0.plusSeconds(60);
            pipeline.privacy(request("r1", "u1", PrivacyRequestType.CONSENT_WITHDRAWN, withdrawnAt));

            List<SegmentChange> exits = pipeline.changes.readValuesToList();
            assertThat(kinds(exits)).containsExactly(tuple("cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.CONSENT));
            assertThat(exits.get(0).getFeatures()).as("no feature values go to the tools the user withdrew from").isEmpty();
            assertThat(exits.get(0).getEventTime()).isEqualTo(withdrawnAt);
            assertThat(pipeline.segmentTopic("segment.cart-holders").readValuesToList()).extracting(SegmentChange::getKind)
                    .containsExactly(SegmentChangeKind.EXITED);
            assertThat(pipeline.memberships.readValuesToList()).singleElement()
                    .satisfies(membership -> assertThat(membership.getSegments()).extracting(m -> m.getSegment())
                            .containsExactly("shoppers"));
            assertThat(pipeline.state("u1").consent()).isEqualTo(Consent.WITHDRAWN);
            PrivacyAudit audit = pipeline.audits.readKeyValue().value;
            assertThat(audit.getRequestId()).isEqualTo("r1");
            assertThat(audit.getOutcome()).isEqualTo(PrivacyOutcome.CONSENT_RECORDED);
            assertThat(audit.getSegmentsExited()).isEqualTo(1);
            assertThat(audit.getStoresPurged()).isEmpty();
            assertThat(audit.getSubject()).isEqualTo(hmac("u1"));

            // More events: the cart grows, the user stays out.
            pipeline.click(add("e2", "u1", "sku-2", 1, "5.00", T0.plusSeconds(120)));
            assertThat(pipeline.changes.readValuesToList()).isEmpty();
            assertThat(pipeline.cart("u1").view().items()).isEqualTo(3);

            pipeline.privacy(request("r2", "u1", PrivacyRequestType.CONSENT_GRANTED, T0.plusSeconds(180)));

            List<SegmentChange> entries = pipeline.changes.readValuesToList();
            assertThat(kinds(entries)).containsExactly(tuple("cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.CONSENT));
            assertThat(entries.get(0).getFeatures()).containsExactly(Map.entry("cart.items", 3L));
            assertThat(pipeline.audits.readValuesToList()).extracting(PrivacyAudit::getOutcome, PrivacyAudit::getSegmentsExited)
                    .containsExactly(tuple(PrivacyOutcome.CONSENT_RECORDED, 0));
        }
    }

    @Test
    void aRequestIsHandledOnceAndOneThatChangesNothingSaysSo() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0));
            pipeline.changes.readRecordsToList();
            PrivacyRequest withdrawal = request("r1", "u1", PrivacyRequestType.CONSENT_WITHDRAWN, T0.plusSeconds(60));

            pipeline.privacy(withdrawal);
            pipeline.privacy(request("r2", "u1", PrivacyRequestType.CONSENT_GRANTED, T0.plusSeconds(61)));
            pipeline.privacy(withdrawal);

            assertThat(kinds(pipeline.changes.readValuesToList())).containsExactly(
                    tuple("cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.CONSENT),
                    tuple("cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.CONSENT));
            assertThat(pipeline.audits.readValuesToList()).extracting(PrivacyAudit::getRequestId).containsExactly("r1", "r2");
            assertThat(pipeline.instance().privacy().duplicateCount()).isEqualTo(1);

            pipeline.privacy(request("r3", "u1", PrivacyRequestType.CONSENT_GRANTED, T0.plusSeconds(62)));
            assertThat(pipeline.changes.readValuesToList()).isEmpty();
            assertThat(pipeline.audits.readValuesToList()).extracting(PrivacyAudit::getOutcome)
                    .containsExactly(PrivacyOutcome.CONSENT_UNCHANGED);
        }
    }

    @Test
    void theCartOfAUserWhoWithdrewConsentIsAbandonedWithoutGoingToRetargeting() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0));
            pipeline.click(add("e2", "u2", "sku-2", 1, "5.00", T0));
            pipeline.privacy(request("r1", "u1", PrivacyRequestType.CONSENT_WITHDRAWN, T0.plusSeconds(1)));

            // Stream time passes the 30-minute abandonment of both carts.
            pipeline.click(click("e3", "u3", ClickEventType.PAGE_VIEW, T0.plus(Duration.ofMinutes(31))).setSessionId("s3").build());

            assertThat(pipeline.abandoned.readValuesToList()).extracting(abandonment -> abandonment.getUserId())
                    .containsExactly("u2");
            assertThat(pipeline.cart("u1").view().abandonedAt()).as("the fact still says abandoned")
                    .isEqualTo(T0.plus(Duration.ofMinutes(30)));
            assertThat(pipeline.instance().privacy().withheldCount()).isEqualTo(1);
        }
    }

    @Test
    void aWithdrawalBeforeTheUsersFirstEventHoldsForTheirEvents() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.privacy(request("r1", "u1", PrivacyRequestType.CONSENT_WITHDRAWN, T0));
            pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0.plusSeconds(1)));

            assertThat(kinds(pipeline.changes.readValuesToList()))
                    .containsExactly(tuple("shoppers", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT));
        }
    }

    @Test
    void withConsentWithdrawnByDefaultUsersEnterSegmentsThatNeedItOnlyOnceTheyGrantIt() {
        try (PipelineDriver pipeline = pipeline(Map.of(SegStreamConfig.PRIVACY_CONSENT_DEFAULT, "withdrawn"))) {
            pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0));
            assertThat(kinds(pipeline.changes.readValuesToList()))
                    .containsExactly(tuple("shoppers", SegmentChangeKind.ENTERED, ChangeTrigger.EVENT));

            pipeline.privacy(request("r1", "u1", PrivacyRequestType.CONSENT_GRANTED, T0.plusSeconds(5)));

            assertThat(kinds(pipeline.changes.readValuesToList()))
                    .containsExactly(tuple("cart-holders", SegmentChangeKind.ENTERED, ChangeTrigger.CONSENT));
        }
    }

    @Test
    void anErasureExitsEverySegmentWithoutFeatureValuesAndDeletesTheUsersStateTimersAndMembership() throws Exception {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.order(purchase("o1", "u1", "25.00", T0));
            pipeline.click(click("e1", "u1", ClickEventType.PAGE_VIEW, T0.plusSeconds(10)).setSessionId("s1").build());
            pipeline.click(add("e2", "u1", "sku-1", 2, "10.00", T0.plusSeconds(20)));
            pipeline.click(add("e3", "u2", "sku-9", 1, "3.00", T0.plusSeconds(20)));
            pipeline.changes.readRecordsToList();
            pipeline.memberships.readRecordsToList();
            pipeline.segmentTopic("segment.cart-holders").readRecordsToList();
            assertThat(pipeline.timers()).hasSize(2);

            Instant requestedAt = T0.plusSeconds(30);
            pipeline.privacy(request("erase-1", "u1", PrivacyRequestType.ERASE, requestedAt));

            List<SegmentChange> exits = pipeline.changes.readValuesToList();
            assertThat(kinds(exits)).containsExactlyInAnyOrder(
                    tuple("cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.ERASURE),
                    tuple("shoppers", SegmentChangeKind.EXITED, ChangeTrigger.ERASURE));
            assertThat(exits).allSatisfy(exit -> {
                assertThat(exit.getUserId()).isEqualTo("u1");
                assertThat(exit.getFeatures()).isEmpty();
                assertThat(exit.getEventTime()).isEqualTo(requestedAt);
            });
            assertThat(pipeline.segmentTopic("segment.cart-holders").readValuesToList())
                    .extracting(SegmentChange::getKind, SegmentChange::getTrigger)
                    .containsExactly(tuple(SegmentChangeKind.EXITED, ChangeTrigger.ERASURE));
            List<TestRecord<String, io.segstream.avro.UserSegments>> memberships = pipeline.memberships.readRecordsToList();
            assertThat(memberships).singleElement().satisfies(tombstone -> {
                assertThat(tombstone.key()).isEqualTo("u1");
                assertThat(tombstone.value()).isNull();
            });
            assertThat(pipeline.state("u1")).isNull();
            assertThat(pipeline.state("u2")).isNotNull();
            assertThat(pipeline.timers()).singleElement().asString().endsWith("|u2");

            TestRecord<String, PrivacyAudit> audit = pipeline.audits.readRecord();
            assertThat(audit.key()).isEqualTo("erase-1");
            assertThat(audit.value().getType()).isEqualTo(PrivacyRequestType.ERASE);
            assertThat(audit.value().getOutcome()).isEqualTo(PrivacyOutcome.ERASED);
            assertThat(audit.value().getStoresPurged()).containsExactly("users", "timers");
            assertThat(audit.value().getSegmentsExited()).isEqualTo(2);
            assertThat(audit.value().getSubject()).isEqualTo(hmac("u1"));
            assertThat(audit.value().getRequestedAt()).isEqualTo(requestedAt);
            assertThat(audit.value().toString()).as("no personal data in the audit").doesNotContain("\"u1\"");

            // The cart's abandonment never comes; u2's does.
            pipeline.click(click("e4", "u3", ClickEventType.PAGE_VIEW, T0.plus(Duration.ofHours(1))).setSessionId("s3").build());
            assertThat(pipeline.abandoned.readValuesToList()).extracting(abandonment -> abandonment.getUserId())
                    .containsExactly("u2");

            // A later event of the user starts a new profile.
            pipeline.click(add("e5", "u1", "sku-7", 1, "4.00", T0.plus(Duration.ofHours(2))));
            assertThat(pipeline.rfm("u1")).isNull();
            assertThat(pipeline.cart("u1").view().items()).isEqualTo(1);
        }
    }

    @Test
    void theNextRfmSketchesLeaveAnErasedCustomerOut() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.order(purchase("o1", "u1", "25.00", T0));
            pipeline.order(purchase("o2", "u2", "40.00", T0.plusSeconds(1)));
            pipeline.advanceWallClock(Duration.ofSeconds(61));
            assertThat(pipeline.sketches.readValuesToList()).last().extracting(sketch -> sketch.getCustomers()).isEqualTo(2L);

            pipeline.privacy(request("erase-1", "u1", PrivacyRequestType.ERASE, T0.plusSeconds(2)));
            pipeline.advanceWallClock(Duration.ofSeconds(61));

            assertThat(pipeline.sketches.readValuesToList()).last().extracting(sketch -> sketch.getCustomers()).isEqualTo(1L);
        }
    }

    @Test
    void erasingAUserWithNothingStoredStillTombstonesTheirMembership() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.privacy(request("erase-1", "nobody", PrivacyRequestType.ERASE, T0));

            assertThat(pipeline.changes.readRecordsToList()).isEmpty();
            assertThat(pipeline.memberships.readRecordsToList()).singleElement()
                    .satisfies(tombstone -> assertThat(tombstone.value()).isNull());
            assertThat(pipeline.audits.readValuesToList()).extracting(PrivacyAudit::getOutcome, PrivacyAudit::getStoresPurged)
                    .containsExactly(tuple(PrivacyOutcome.NOTHING_STORED, List.of()));
        }
    }

    @Test
    void aRequestMadeLongAgoIsStillHandledAndDoesNotMoveStreamTime() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0));
            pipeline.changes.readRecordsToList();

            pipeline.privacy(request("r1", "u1", PrivacyRequestType.CONSENT_WITHDRAWN, T0.minus(Duration.ofDays(3))));
            // An event within grace of the click is still on time: the request did not move stream time.
            pipeline.click(add("e2", "u1", "sku-2", 1, "1.00", T0.minus(Duration.ofMinutes(50))));

            assertThat(kinds(pipeline.changes.readValuesToList()))
                    .containsExactly(tuple("cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.CONSENT));
            assertThat(pipeline.deadLetters.readRecordsToList()).isEmpty();
            assertThat(pipeline.cart("u1").view().items()).isEqualTo(3);
        }
    }

    @Test
    void anInvalidRequestIsADeadLetterWithItsReason() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.privacy(request("", "u1", PrivacyRequestType.ERASE, T0));
            pipeline.privacy(request("r2", "u1", PrivacyRequestType.UNKNOWN, T0));
            pipeline.privacyRequests.pipeInput(new TestRecord<>("someone-else",
                    request("r3", "u1", PrivacyRequestType.ERASE, T0)));

            assertThat(pipeline.deadLetters.readRecordsToList()).extracting(
                    letter -> HeaderText.of(letter.headers()).get(DeadLetters.HEADER_REASON))
                    .containsExactly("INVALID_FIELD", "INVALID_FIELD", "KEY_MISMATCH");
            assertThat(pipeline.audits.readRecordsToList()).isEmpty();
            assertThat(pipeline.memberships.readRecordsToList()).isEmpty();
        }
    }

    @Test
    void aTombstoneOrCorruptBytesOnThePrivacyTopicAreDeadLettersAndTheNextRequestIsHandled() {
        try (PipelineDriver pipeline = pipeline(Map.of())) {
            pipeline.click(add("e1", "u1", "sku-1", 2, "10.00", T0));
            pipeline.changes.readRecordsToList();

            pipeline.rawPrivacyRequests.pipeInput("u1", null, T0);
            assertThat(pipeline.deadLetters.readRecordsToList()).extracting(
                    letter -> HeaderText.of(letter.headers()).get(DeadLetters.HEADER_REASON)).containsExactly("NULL_VALUE");
            pipeline.rawPrivacyRequests.pipeInput("u1", new byte[] {0, 0, 0, 0, 42, 1, 2}, T0);
            pipeline.rawPrivacyRequests.pipeInput("u1", new byte[] {7, 7}, T0);
            pipeline.privacy(request("r1", "u1", PrivacyRequestType.CONSENT_WITHDRAWN, T0.plusSeconds(1)));

            // Unreadable bytes go the deserialization handler's way (dead letters with their reason, as on clickstream).
            assertThat(pipeline.deadLetterCounters().count(DeadLetterReason.UNKNOWN_SCHEMA_ID)).isEqualTo(1);
            assertThat(pipeline.deadLetterCounters().count(DeadLetterReason.UNKNOWN_MAGIC_BYTE)).isEqualTo(1);
            assertThat(kinds(pipeline.changes.readValuesToList()))
                    .containsExactly(tuple("cart-holders", SegmentChangeKind.EXITED, ChangeTrigger.CONSENT));
        }
    }
}
