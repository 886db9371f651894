package io.segstream.segments;

import static io.segstream.testing.Definitions.segment;
import static io.segstream.testing.Events.at;
import static io.segstream.testing.Events.purchase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segstream.facts.Facts;
import io.segstream.facts.Predictions;
import io.segstream.testing.PipelineDriver;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Draft definitions evaluated on users as if they were applied, with nothing published. */
class SegmentPreviewTest {

    private static final Instant T0 = at("2026-11-20T10:00:00Z");

    private final PipelineDriver pipeline = new PipelineDriver();

    @AfterEach
    void close() {
        pipeline.close();
    }

    private Facts.Input input(String user) {
        return new Facts.Input(pipeline.features(user, T0.plusSeconds(60)), Predictions.fixedIntent(0));
    }

    @Test
    void draftsAreCountedWithTheLiveDefinitionsTheyJoinOrReplace() {
        // Spend: u0 10, u1 20, ... u9 100.
        List<String> users = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "u" + i).toList();
        for (int i = 0; i < users.size(); i++) {
            pipeline.order(purchase("o" + i, users.get(i), (10 * (i + 1)) + ".00", T0));
        }
        SegmentCatalog live = new SegmentCatalog();
        live.apply("vip", segment("vip", "rfm.monetary >= 80.0", 1).setExclusiveGroup("tier").setPriority(10).build());
        live.apply("buyers", segment("buyers", "rfm.frequency >= 1", 1).build());

        SegmentPreview preview = SegmentPreview.of(live.snapshot(), List.of(
                // Replaces the live "buyers"; joins group "tier" below "vip", so u7..u9 stay vip only.
                segment("buyers", "rfm.monetary >= 50.0", 2).setExclusiveGroup("tier").setPriority(5).build(),
                segment("small", "rfm.monetary < 30.0", 1).setRequiresConsent(true).build()), 2);
        // Added in any order, the sample is of the smallest member ids.
        for (String user : users.stream().sorted(java.util.Comparator.reverseOrder()).toList()) {
            preview.add(user, input(user), !user.equals("u0"));
        }

        assertThat(preview.users()).isEqualTo(10);
        assertThat(preview.drafts()).containsExactly("buyers", "small");
        assertThat(preview.members("buyers")).isEqualTo(3);
        assertThat(preview.sample("buyers")).containsExactly("u4", "u5");
        // u0 spent 10 but has not consented.
        assertThat(preview.members("small")).isEqualTo(1);
        assertThat(preview.sample("small")).containsExactly("u1");
        // The live catalog is untouched.
        assertThat(live.snapshot().segments().get("buyers").version()).isEqualTo(1);
        assertThat(live.snapshot().segments()).doesNotContainKey("small");
    }

    @Test
    void aDraftThatDoesNotCompileIsNamed() {
        assertThatThrownBy(() -> SegmentPreview.of(new SegmentCatalog().snapshot(),
                List.of(segment("broken", "rfm.monetry > 1", 1).build()), 10))
                .isInstanceOf(InvalidDefinitionException.class).hasMessageStartingWith("broken: condition does not compile");
    }
}
