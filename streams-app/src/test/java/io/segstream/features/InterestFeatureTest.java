package io.segstream.features;

import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static io.segstream.testing.Events.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEventType;
import io.segstream.testing.PipelineDriver;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterestFeatureTest {

    private static final long WEEK = 7 * 24 * 3_600_000L;

    private final PipelineDriver pipeline = new PipelineDriver();

    @AfterEach
    void close() {
        pipeline.close();
    }

    @Test
    void productViewsCountPerCategoryAndAgeOutOfTheWindowWithoutNewTraffic() {
        pipeline.click(view("e1", "u1", "s", "shoes", at("2026-11-10T09:30:00Z")));
        pipeline.click(view("e2", "u1", "s", "shoes", at("2026-11-14T12:00:00Z")));
        pipeline.click(view("e3", "u1", "s", "shoes", at("2026-11-14T12:10:00Z")));
        pipeline.click(view("e4", "u1", "s", "hats", at("2026-11-16T08:00:00Z")));
        // Page views and cart events are not product views.
        pipeline.click(click("e5", "u1", ClickEventType.PAGE_VIEW, at("2026-11-16T08:01:00Z")).setCategory("hats").build());

        InterestState state = pipeline.interest("u1");

        assertThat(state.view(at("2026-11-16T09:00:00Z").toEpochMilli(), WEEK).categoryViews())
                .isEqualTo(Map.of("shoes", 3L, "hats", 1L));
        // Nov 10 09:30 is in the hour that leaves the 7-day window at Nov 17 10:00.
        assertThat(state.view(at("2026-11-17T10:00:00Z").toEpochMilli(), WEEK).categoryViews())
                .isEqualTo(Map.of("shoes", 2L, "hats", 1L));
        assertThat(state.view(at("2026-11-23T08:00:00Z").toEpochMilli(), WEEK).categoryViews()).isEmpty();
    }
}
