package io.segstream.segments;

import static io.segstream.testing.Definitions.segment;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SegmentCatalogTest {

    @Test
    void definitionsAppliedOneByOneMakeOneSnapshotWhenItIsAskedFor() {
        SegmentCatalog catalog = new SegmentCatalog();
        SegmentCatalog.Snapshot empty = catalog.snapshot();

        catalog.apply("buyers", segment("buyers", "rfm.frequency >= 1", 1).build());
        catalog.apply("carts", segment("carts", "cart.items > 0", 1).build());
        catalog.apply("buyers", segment("buyers", "rfm.frequency >= 2", 2).build());
        catalog.apply("carts", segment("carts", "cart.items > 0", 1).build());
        SegmentCatalog.Snapshot snapshot = catalog.snapshot();

        assertThat(empty.generation()).isZero();
        assertThat(empty.segments()).isEmpty();
        // Three changes (the last record repeats a version already active).
        assertThat(snapshot.generation()).isEqualTo(3);
        assertThat(snapshot.segments().keySet()).containsExactlyInAnyOrder("buyers", "carts");
        assertThat(snapshot.segments().get("buyers").condition().expression()).isEqualTo("rfm.frequency >= 2");
        assertThat(catalog.snapshot()).isSameAs(snapshot);

        catalog.apply("carts", null);

        assertThat(catalog.snapshot().generation()).isEqualTo(4);
        assertThat(catalog.snapshot().segments().keySet()).containsExactly("buyers");
    }
}
