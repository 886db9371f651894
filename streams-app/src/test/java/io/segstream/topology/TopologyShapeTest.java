package io.segstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.config.SegStreamConfig;
import io.segstream.registry.InMemorySchemaRegistry;
import java.util.Map;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** Every node and store has a stable name, so internal topics survive code changes. */
class TopologyShapeTest {

    @Test
    void nodesStoresAndRepartitionTopicsAreNamed() {
        SegStreamConfig config = SegStreamConfig.of(Map.of(SegStreamConfig.BOOTSTRAP_SERVERS, "unused:9092",
                "schema.registry.url", "mem://shape", SegStreamConfig.INPUT_REPARTITION, "true"));

        TopologyDescription description = SegStreamTopology.build(config, InMemorySchemaRegistry.named("shape"),
                InstanceState.create()).describe();

        String text = description.toString();
        assertThat(text).contains("clickstream-source", "clickstream-validate", "clickstream-key-by-user",
                "clickstream-by-user-repartition", "orders-by-user-repartition", "privacy-requests-by-user-repartition",
                SegStreamTopology.USER_FEATURES, "cart-abandoned-sink", "rfm-sketches-sink",
                "rfm-sketches-global-source", "Processor: rfm-sketches-global (stores: [rfm-sketches])");
        assertThat(description.subtopologies()).flatExtracting(TopologyDescription.Subtopology::nodes)
                .filteredOn(node -> node.name().equals(SegStreamTopology.USER_FEATURES))
                .singleElement()
                .satisfies(node -> assertThat(((TopologyDescription.Processor) node).stores())
                        .containsExactlyInAnyOrder("users", "order-ids", "timers", "privacy-request-ids"));
        // The inputs are the per-user processor's direct parents: no node only passes their records on.
        assertThat(description.subtopologies()).flatExtracting(TopologyDescription.Subtopology::nodes)
                .filteredOn(node -> node.name().equals(SegStreamTopology.USER_FEATURES))
                .singleElement()
                .satisfies(node -> assertThat(node.predecessors()).extracting(TopologyDescription.Node::name)
                        .containsExactlyInAnyOrder("clickstream-by-user-repartition-source",
                                "orders-by-user-repartition-source", "privacy-requests-by-user-repartition-source"));
        // The outputs are the per-user processor's direct children, one sink per output type.
        assertThat(description.subtopologies()).flatExtracting(TopologyDescription.Subtopology::nodes)
                .filteredOn(node -> node.name().equals(SegStreamTopology.USER_FEATURES))
                .singleElement()
                .satisfies(node -> assertThat(node.successors()).extracting(TopologyDescription.Node::name)
                        .containsExactlyInAnyOrder("segment-changes-sink", "segment-topic-sink", "membership-sink",
                                "cart-abandoned-sink", "rfm-sketches-sink", "privacy-audit-sink"));
        assertThat(text).doesNotContainPattern("KSTREAM-[A-Z]+-\\d+");
    }
}
