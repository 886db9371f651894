package io.segstream.config;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/** The one place topic names are resolved: every topic SegStream reads or writes, from config. */
public record Topics(
        String clickstream,
        String orders,
        String segmentDefinitions,
        String privacyRequests,
        String segmentChanges,
        String segmentMembership,
        String cartAbandoned,
        String deadLetters,
        String rfmSketches,
        String privacyAudit,
        String models) {

    /** A topic and the settings it must be created with. */
    public record Declaration(String name, Map<String, String> settings) {}

    private static final Map<String, String> COMPACTED =
            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);

    public static Topics from(SegStreamConfig config) {
        return new Topics(
                config.getString(SegStreamConfig.TOPIC_CLICKSTREAM),
                config.getString(SegStreamConfig.TOPIC_ORDERS),
                config.getString(SegStreamConfig.TOPIC_SEGMENT_DEFINITIONS),
                config.getString(SegStreamConfig.TOPIC_PRIVACY_REQUESTS),
                config.getString(SegStreamConfig.TOPIC_SEGMENT_CHANGES),
                config.getString(SegStreamConfig.TOPIC_SEGMENT_MEMBERSHIP),
                config.getString(SegStreamConfig.TOPIC_CART_ABANDONED),
                config.getString(SegStreamConfig.TOPIC_DLQ),
                config.getString(SegStreamConfig.TOPIC_RFM_SKETCHES),
                config.getString(SegStreamConfig.TOPIC_PRIVACY_AUDIT),
                config.getString(SegStreamConfig.TOPIC_MODELS));
    }

    /** Every topic the pipeline needs before it starts; definitions, membership, sketches and models are compacted. */
    public List<Declaration> declarations() {
        return List.of(
                new Declaration(clickstream, Map.of()),
                new Declaration(orders, Map.of()),
                new Declaration(segmentDefinitions, COMPACTED),
                new Declaration(privacyRequests, Map.of()),
                new Declaration(segmentChanges, Map.of()),
                new Declaration(segmentMembership, COMPACTED),
                new Declaration(cartAbandoned, Map.of()),
                new Declaration(deadLetters, Map.of()),
                new Declaration(rfmSketches, COMPACTED),
                new Declaration(privacyAudit, Map.of()),
                new Declaration(models, COMPACTED));
    }
}
