package io.segstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.local.EmbeddedKafkaBroker;
import io.segstream.testing.RealInfrastructure;
import io.segstream.testing.TestConfigs;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealInfrastructure.class)
class TopicCreatorIT {

    @Test
    void createsEveryMissingTopicOnceWithCompactionWhereTheContractSaysSo(EmbeddedKafkaBroker kafka) throws Exception {
        String suffix = TestConfigs.suffix();
        Map<String, String> values = TestConfigs.isolated(kafka.bootstrapServers(), suffix);
        values.put(SegStreamConfig.TOPICS_PARTITIONS, "3");
        SegStreamConfig config = SegStreamConfig.of(values);

        List<String> created = TopicCreator.createMissing(config);
        List<String> createdAgain = TopicCreator.createMissing(config);

        assertThat(created).containsExactly("cart.abandoned-" + suffix, "clickstream-" + suffix, "orders-" + suffix,
                "privacy.audit-" + suffix, "privacy.requests-" + suffix, "segments.changes-" + suffix, "segments.definitions-" + suffix,
                "segments.membership-" + suffix, "segstream.dlq-" + suffix, "segstream.models-" + suffix,
                "segstream.rfm-sketches-" + suffix);
        assertThat(createdAgain).isEmpty();
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            assertThat(admin.describeTopics(List.of("clickstream-" + suffix)).allTopicNames().get()
                    .get("clickstream-" + suffix).partitions()).hasSize(3);
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, "segments.membership-" + suffix),
                    new ConfigResource(ConfigResource.Type.TOPIC, "segstream.models-" + suffix),
                    new ConfigResource(ConfigResource.Type.TOPIC, "segments.changes-" + suffix))).all().get();
            assertThat(configs).hasEntrySatisfying(new ConfigResource(ConfigResource.Type.TOPIC, "segments.membership-" + suffix),
                    topic -> assertThat(topic.get("cleanup.policy").value()).isEqualTo("compact"));
            assertThat(configs).hasEntrySatisfying(new ConfigResource(ConfigResource.Type.TOPIC, "segstream.models-" + suffix),
                    topic -> assertThat(topic.get("cleanup.policy").value()).isEqualTo("compact"));
            assertThat(configs).hasEntrySatisfying(new ConfigResource(ConfigResource.Type.TOPIC, "segments.changes-" + suffix),
                    topic -> assertThat(topic.get("cleanup.policy").value()).isEqualTo("delete"));
        }
    }
}
