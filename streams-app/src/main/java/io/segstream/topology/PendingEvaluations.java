package io.segstream.topology;

import java.util.function.ObjLongConsumer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;

/**
 * The users whose segments wait for a later decision ({@code segments.evaluate=commit} or {@code interval}):
 * each one once, however many of their events arrived since, with the time of the latest of them. The
 * wait is kept with the user's decoded state in {@link UserStore} (a user waits right after their event
 * saved them).
 *
 * <p>They are decided in the flush Kafka Streams runs before each commit ({@link UserStore#flushCache()})
 * and, with {@code interval}, by the processor between commits. In the flush no processor node is
 * current and forwarding would fail: {@link #drain} runs there as the
 * processor's node with a record context of its own, as a punctuation does; Kafka Streams' own record
 * caches forward from the same flush in the same way (internal API, pinned with Kafka 4.3.1 and covered
 * by the integration tests, which commit under exactly-once on a real broker). Outside Kafka Streams
 * (a {@code MockProcessorContext}) forwarding needs no node and the work simply runs.
 */
final class PendingEvaluations {

    private final UserStore users;
    private final ProcessorContext<?, ?> context;
    /** The processor's node, captured in its init (where Kafka Streams makes it current); null outside Kafka Streams. */
    private final ProcessorNode<?, ?, ?, ?> node;

    PendingEvaluations(ProcessorContext<?, ?> context, UserStore users) {
        this.users = users;
        this.context = context;
        this.node = context instanceof InternalProcessorContext<?, ?> internal ? internal.currentNode() : null;
    }

    /** The user, just saved, waits (again) for the next commit, with an event of {@code eventTime}. */
    void add(String user, long eventTime) {
        users.markWaiting(user, eventTime);
    }

    /**
     * Whether the user, just saved with an event of {@code eventTime}, is decided now rather than waiting:
     * they do not wait already and were last decided at least {@code quietMs} before {@code now} (recorded
     * as decided now); otherwise they wait (again).
     */
    boolean decideNow(String user, long eventTime, long now, long quietMs) {
        return users.decideAtOnceElseWait(user, eventTime, now, quietMs);
    }

    /** Stops the user's wait: the latest event time they waited with, or null when they were not waiting. */
    Long remove(String user) {
        return users.stopWaiting(user);
    }

    /** Whether a user waits (or one stopped waiting since the last {@link #drain}). */
    boolean any() {
        return users.anyWaiting();
    }

    /**
     * Hands every waiting user to {@code decide}, in the order they started waiting, with the latest
     * event time they waited with; each is removed before it is handed over.
     */
    void drain(ObjLongConsumer<String> decide) {
        if (!any()) {
            return;
        }
        if (!(context instanceof InternalProcessorContext<?, ?> internal) || node == null) {
            users.takeWaiting(context.currentSystemTimeMs(), decide);
            return;
        }
        ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
        ProcessorRecordContext previousRecord = internal.recordContext();
        internal.setCurrentNode(node);
        internal.setRecordContext(new ProcessorRecordContext(context.currentSystemTimeMs(), -1L, -1, null,
                new RecordHeaders()));
        try {
            users.takeWaiting(context.currentSystemTimeMs(), decide);
        } finally {
            internal.setRecordContext(previousRecord);
            internal.setCurrentNode(previousNode);
        }
    }
}
