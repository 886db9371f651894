package io.segstream.features;

import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEventType;
import io.segstream.facts.Dwell;
import io.segstream.testing.PipelineDriver;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DwellFeatureTest {

    private static final long GAP = 30 * 60_000L;

    private final PipelineDriver pipeline = new PipelineDriver(Map.of("dwell.max.ms", "600000"));

    @AfterEach
    void close() {
        pipeline.close();
    }

    @Test
    void dwellIsTheTrackersValueElseTheGapToTheNextEventCappedAndTheLastEventAddsNothing() {
        pipeline.click(view("e1", "u1", "s1", "shoes", at("2026-11-20T10:00:00Z")));
        pipeline.click(view("e2", "u1", "s1", "shoes", at("2026-11-20T10:02:00Z")));
        pipeline.click(click("e3", "u1", ClickEventType.PRODUCT_VIEW, at("2026-11-20T10:03:00Z"))
                .setSessionId("s1").setCategory("bags").setDwellMs(45_000L).build());
        // 25 minutes later, same session: the gap is capped at dwell.max.ms (10 minutes).
        pipeline.click(view("e4", "u1", "s1", "bags", at("2026-11-20T10:28:00Z")));

        Dwell dwell = pipeline.dwell("u1").view(at("2026-11-20T10:30:00Z").toEpochMilli(), GAP);

        // e1: 2 min (gap); e2: 1 min (gap); e3: 45 s (tracker); e4: last event, nothing yet.
        assertThat(dwell.currentSession()).isEqualTo(new Dwell.CurrentSession("s1", at("2026-11-20T10:00:00Z"),
                at("2026-11-20T10:28:00Z"), 225_000L, 4, true, at("2026-11-20T10:58:00Z")));
        assertThat(dwell.categoryDwellMsLast7Days()).isEqualTo(Map.of("shoes", 180_000L, "bags", 45_000L));
        assertThat(dwell.sessions()).isEqualTo(1);
        assertThat(dwell.totalDwellMs()).isEqualTo(225_000L);
        // Left out when an evaluation's conditions do not read it; the rest is the same.
        Dwell withoutCategories = pipeline.dwell("u1").view(at("2026-11-20T10:30:00Z").toEpochMilli(), GAP, false);
        assertThat(withoutCategories).isEqualTo(new Dwell(dwell.currentSession(), dwell.sessions(),
                dwell.sessionsLast30Days(), dwell.averageSessionDwellMs(), dwell.totalDwellMs(), Map.of()));
    }

    @Test
    void withoutSessionIdsA30MinuteGapStartsANewSession() {
        pipeline.click(view("e1", "u1", null, "shoes", at("2026-11-20T10:00:00Z")));
        pipeline.click(view("e2", "u1", null, "shoes", at("2026-11-20T10:05:00Z")));
        pipeline.click(view("e3", "u1", null, "hats", at("2026-11-20T10:40:00Z")));
        pipeline.click(view("e4", "u1", null, "hats", at("2026-11-20T10:41:00Z")));

        Dwell dwell = pipeline.dwell("u1").view(at("2026-11-20T10:42:00Z").toEpochMilli(), GAP);

        // Session 1: e1 gets 5 min, e2 is its last event. Session 2: e3 gets 1 min.
        assertThat(dwell.sessions()).isEqualTo(2);
        assertThat(dwell.averageSessionDwellMs()).isEqualTo(180_000L);
        assertThat(dwell.currentSession()).isEqualTo(new Dwell.CurrentSession(null, at("2026-11-20T10:40:00Z"),
                at("2026-11-20T10:41:00Z"), 60_000L, 2, true, at("2026-11-20T11:11:00Z")));
        assertThat(dwell.categoryDwellMsLast7Days()).isEqualTo(Map.of("shoes", 300_000L, "hats", 60_000L));
    }

    @Test
    void sessionCountsAndCategoryDwellFollowTheirWindowsAsTimePasses() {
        pipeline.click(view("e1", "u1", "a", "shoes", at("2026-10-01T10:00:00Z")));
        pipeline.click(view("e2", "u1", "a", "shoes", at("2026-10-01T10:01:00Z")));
        pipeline.click(view("e3", "u1", "b", "hats", at("2026-11-18T10:00:00Z")));
        pipeline.click(view("e4", "u1", "b", "hats", at("2026-11-18T10:02:00Z")));

        Dwell onNov20 = pipeline.dwell("u1").view(at("2026-11-20T12:00:00Z").toEpochMilli(), GAP);
        Dwell onNov26 = pipeline.dwell("u1").view(at("2026-11-26T12:00:00Z").toEpochMilli(), GAP);

        assertThat(onNov20.sessions()).isEqualTo(2);
        assertThat(onNov20.sessionsLast30Days()).isEqualTo(1);
        assertThat(onNov20.categoryDwellMsLast7Days()).isEqualTo(Map.of("hats", 120_000L));
        assertThat(onNov20.currentSession().active()).isFalse();
        assertThat(onNov26.categoryDwellMsLast7Days()).isEmpty();
        assertThat(onNov26.sessionsLast30Days()).isEqualTo(1);
    }

    @Test
    void theRecentSessionCountOfOneStateFollowsEverySessionStartAndDroppedDay() {
        DwellState dwell = new DwellState();
        long noon = at("2026-11-20T12:00:00Z").toEpochMilli();
        dwell.fold(page("a", "2026-11-20T10:00:00Z"), GAP, 600_000L);
        assertThat(dwell.view(noon, GAP).sessionsLast30Days()).isEqualTo(1);

        // A second view of the same day, then another session that day: counted at the next view.
        assertThat(dwell.view(noon, GAP).sessionsLast30Days()).isEqualTo(1);
        dwell.fold(page("b", "2026-11-20T11:00:00Z"), GAP, 600_000L);
        assertThat(dwell.view(noon, GAP).sessionsLast30Days()).isEqualTo(2);

        // A page of a session already counted changes nothing.
        dwell.fold(page("b", "2026-11-20T11:01:00Z"), GAP, 600_000L);
        assertThat(dwell.view(noon, GAP).sessionsLast30Days()).isEqualTo(2);

        // 30 days on, the day of both is dropped by the next event: only its own session is left.
        long later = at("2026-12-20T12:00:00Z").toEpochMilli();
        assertThat(dwell.view(later, GAP).sessionsLast30Days()).isZero();
        dwell.fold(page("c", "2026-12-20T10:00:00Z"), GAP, 600_000L);
        assertThat(dwell.view(later, GAP).sessionsLast30Days()).isEqualTo(1);
        assertThat(dwell.view(noon, GAP).sessionsLast30Days()).isZero();
    }

    @Test
    void aDayDroppedByAPageOfAnOpenSessionNoLongerCountsInAViewOfAnEarlierDay() {
        DwellState dwell = new DwellState();
        dwell.fold(page("a", "2026-11-20T10:00:00Z"), GAP, 600_000L);
        long dec19 = at("2026-12-19T12:00:00Z").toEpochMilli();
        assertThat(dwell.view(dec19, GAP).sessionsLast30Days()).isEqualTo(1);

        // The tracker kept session "a" open: no session starts, but Nov 20 is now out of the 30 days kept.
        dwell.fold(page("a", "2026-12-20T10:00:00Z"), GAP, 600_000L);

        assertThat(dwell.view(dec19, GAP).sessionsLast30Days()).isZero();
        assertThat(dwell.view(dec19, GAP).sessions()).isEqualTo(1);
    }

    private static Activity page(String session, String time) {
        return new Activity(at(time).toEpochMilli(), time.hashCode(), Activity.Kind.PAGE_VIEW, session, null, null, 1, null,
                null, null);
    }
}
