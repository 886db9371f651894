package io.segstream.topology;

import static io.segstream.testing.Events.add;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.click;
import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.testing.PipelineDriver;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InputKeyingTest {

    @Test
    void anAnonymousVisitorKeepsAProfileUnderTheAnonymousId() {
        try (PipelineDriver pipeline = new PipelineDriver()) {
            ClickEvent anonymous = ClickEvent.newBuilder(add("e1", null, "sku-1", 1, "9.00", at("2026-11-20T10:00:00Z")))
                    .setAnonymousId("anon-7").build();

            pipeline.click(anonymous);

            assertThat(pipeline.cart("anon-7").view().items()).isEqualTo(1);
            assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        }
    }

    @Test
    void aReplayedClickChangesNothing() {
        try (PipelineDriver pipeline = new PipelineDriver()) {
            pipeline.click(add("e1", "u1", "sku-1", 2, "9.00", at("2026-11-20T10:00:00Z")));
            pipeline.click(add("e1", "u1", "sku-1", 2, "9.00", at("2026-11-20T10:00:00Z")));
            pipeline.click(add("e2", "u1", "sku-1", 1, "9.00", at("2026-11-20T10:05:00Z")));

            assertThat(pipeline.cart("u1").view().items()).isEqualTo(3);
            assertThat(pipeline.featureCounters().duplicateCount()).isEqualTo(1);
            assertThat(pipeline.featureCounters().processedCount()).isEqualTo(2);
        }
    }

    @Test
    void withRepartitioningOnRecordsKeyedBySessionAreReKeyedByUserOnce() {
        try (PipelineDriver pipeline = new PipelineDriver(Map.of("input.repartition", "true"))) {
            pipeline.clicks.pipeInput("session-1", add("e1", "u1", "sku-1", 1, "9.00", at("2026-11-20T10:00:00Z")));
            pipeline.clicks.pipeInput("session-2", add("e2", "u1", "sku-2", 1, "1.00", at("2026-11-20T10:01:00Z")));
            pipeline.clicks.pipeInput("session-2", click("e3", null, ClickEventType.PAGE_VIEW, at("2026-11-20T10:02:00Z"))
                    .setAnonymousId("anon-1").build());

            assertThat(pipeline.cart("u1").view().items()).isEqualTo(2);
            assertThat(pipeline.cart("anon-1").view().items()).isZero();
            assertThat(pipeline.cart("session-1")).isNull();
            assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        }
    }
}
