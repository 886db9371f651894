package io.segstream.app;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * What this instance still has to restore from the changelogs before its tasks can run: records left
 * per store, over the partitions being restored now (metric {@code segstream_restore_remaining_records}).
 * Kafka Streams calls it from its restore thread; the metrics scrape reads it.
 */
final class RestoreProgress implements StateRestoreListener {

    private record Restoring(String store, long remaining) {}

    private final Map<TopicPartition, Restoring> partitions = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        partitions.put(partition, new Restoring(store, Math.max(0, endingOffset - startingOffset)));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        partitions.computeIfPresent(partition, (key, restoring) ->
                new Restoring(store, Math.max(0, restoring.remaining() - numRestored)));
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        partitions.remove(partition);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        partitions.remove(partition);
    }

    /** Records left to restore per store; a store appears only while one of its partitions is restoring. */
    Map<String, Long> remainingByStore() {
        Map<String, Long> remaining = new TreeMap<>();
        partitions.values().forEach(restoring -> remaining.merge(restoring.store(), restoring.remaining(), Long::sum));
        return remaining;
    }
}
