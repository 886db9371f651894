package io.segstream.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics of {@link Topics#declarations()} that do not exist yet. */
public final class TopicCreator {

    private TopicCreator() {}

    /** Creates the missing topics and returns the names of those it created. */
    public static List<String> createMissing(SegStreamConfig config) {
        return create(config, Topics.from(config).declarations());
    }

    /** Creates the missing ones of {@code extraTopics} (plain, e.g. per-segment output topics). */
    public static List<String> createMissing(SegStreamConfig config, List<String> extraTopics) {
        return create(config, extraTopics.stream().map(name -> new Topics.Declaration(name, java.util.Map.of())).toList());
    }

    private static List<String> create(SegStreamConfig config, List<Topics.Declaration> declarations) {
        int partitions = config.getInt(SegStreamConfig.TOPICS_PARTITIONS);
        short replication = config.getShort(SegStreamConfig.TOPICS_REPLICATION_FACTOR);
        try (Admin admin = Admin.create(config.kafkaProperties())) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (Topics.Declaration declaration : declarations) {
                if (!existing.contains(declaration.name())) {
                    missing.add(new NewTopic(declaration.name(),
                            partitions > 0 ? Optional.of(partitions) : Optional.empty(),
                            replication > 0 ? Optional.of(replication) : Optional.empty())
                            .configs(declaration.settings()));
                }
            }
            List<String> created = new ArrayList<>();
            for (var result : admin.createTopics(missing).values().entrySet()) {
                try {
                    result.getValue().get();
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    // Another instance created it in the meantime: that is the outcome we wanted.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            return created.stream().sorted().toList();
        } catch (ExecutionException e) {
            throw new KafkaException("Cannot create topics on " + config.getList(SegStreamConfig.BOOTSTRAP_SERVERS)
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while creating topics", e);
        }
    }
}
