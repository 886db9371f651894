package io.segstream.topology;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ObjLongConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * Store {@code users}: one encoded {@link UserState} per user in a logged key-value store, with the
 * states of the task's recently active users kept decoded in front of it. The processor reads and
 * changes the decoded state in place; a changed user is encoded and written to the store (and its
 * changelog) once per commit, when evicted, or {@code users.write.back.after} after the change, instead
 * of once per event; a pass over every user has them all written at its start, and a sketch scan takes
 * the changes not written yet from {@link #changedStates}. This is what Kafka Streams' record cache does
 * for bytes, one step earlier: a busy user's record is neither decoded nor encoded per event, and no
 * per-event cache lookup compares serialized keys.
 *
 * <p>Kafka Streams asks a store to write what it holds back before each commit through its
 * {@link CachedStateStore#flushCache()} (called ahead of flushing the producer, inside the
 * transaction under exactly-once); nothing in the public store API is called at that point, which
 * is why this store implements that internal interface (pinned with Kafka 4.3.1, and covered by
 * {@code UserStoreTest} and the crash tests). At-least-once, Kafka Streams commits its stores
 * ({@link #commit}) after the input's offsets, which {@link #afterInputCommitted} counts on. On a
 * task's close, recycling or re-initialisation the decoded states are dropped: Kafka Streams has
 * flushed them before a clean close, and after a dirty one the store is restored from its changelog.
 *
 * <p>Interactive queries, scans and standbys read the encoded store, which is at most one commit or
 * {@code users.write.back.after} behind, whichever is less: a changed user is written back that long
 * after the change ({@link #writeBackChanged}, driven by the processor's events and clock) if no commit
 * wrote it first. Where commits are further apart than that (at-least-once, every 30 s), the delay shrinks
 * over the last {@code users.write.back.after} before the next one, so that the commit finds only its
 * last moments' changes left to write.
 *
 * <p>A held user's entry also carries what the processor keeps of them in memory only: their second in
 * {@link DueTimes} and their wait for a later decision of their segments (before the commit, or at an interval)
 * ({@link #markWaiting}, {@link #takeWaiting}). An event then looks its user up once, not once per map.
 */
public final class UserStore implements StateStore, ReadOnlyKeyValueStore<String, byte[]>, CachedStateStore<String, byte[]> {

    /** How long a changed user stays decoded-only before {@link #writeBackChanged} writes it to the store. */
    private final long writeBackAfterMs;

    private final KeyValueStore<String, byte[]> encoded;
    private final UserStateSerde serde = UserStateSerde.forOneThread();
    private final Decoded decoded;
    /** The entry of the user last loaded or saved while it is held: the processor saves the user it just loaded. */
    private Entry recent;
    /** Every changed user not written yet, in the order they changed (and written ones not popped yet). */
    private final ArrayDeque<Entry> changed = new ArrayDeque<>();
    private final LongSupplier clock;
    /**
     * The users waiting for the processor (its next decision of the segments of those waiting), in the order
     * they started waiting; where one stopped waiting, null until the list is next taken.
     */
    private final List<Entry> waiting = new ArrayList<>();
    /** Waiting users whose decoded state was evicted since they started waiting, until held again or taken. */
    private final Map<String, Entry> waitingEvicted = new HashMap<>();
    /** What must change the held users before they are written back: the processor's segment decisions. */
    private Runnable beforeFlush = UserStore::nothing;
    /** Writes to other stores waiting for the next {@link #flushCache()} ({@link #afterInputCommitted}). */
    private final List<Runnable> atNextFlush = new ArrayList<>();
    /** Writes to other stores waiting for the next commit of the input's offsets (at-least-once). */
    private final List<Runnable> afterCommit = new ArrayList<>();
    /** Whether the input's offsets are committed with what each flush writes (exactly-once), not after it. */
    private boolean committedWithFlush;
    /** Kafka Streams' {@code commit.interval.ms}, or 0 when unknown. */
    private long commitIntervalMs;
    /** When the last commit ended (or the store was initialised), on {@link #clock}: the next is due an interval later. */
    private long lastCommitAt;

    UserStore(KeyValueStore<String, byte[]> encoded, int maxDecoded, Duration writeBackAfter, LongSupplier clock) {
        this.encoded = encoded;
        this.decoded = new Decoded(maxDecoded);
        this.writeBackAfterMs = writeBackAfter.toMillis();
        this.clock = clock;
    }

    /**
     * A builder of store {@code name} on {@code supplier}'s bytes, logged, keeping up to {@code maxDecoded} users
     * decoded and writing a changed one back {@code writeBackAfter} after its change (or at the commit, if sooner).
     */
    public static StoreBuilder<UserStore> builder(KeyValueBytesStoreSupplier supplier, int maxDecoded,
            Duration writeBackAfter) {
        return builder(supplier, maxDecoded, writeBackAfter, System::currentTimeMillis);
    }

    /** As {@link #builder(KeyValueBytesStoreSupplier, int, Duration)}, with the wall clock (ms) that times write-backs. */
    static StoreBuilder<UserStore> builder(KeyValueBytesStoreSupplier supplier, int maxDecoded, Duration writeBackAfter,
            LongSupplier clock) {
        return new Builder(Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.ByteArray()).withCachingDisabled(),
                maxDecoded, writeBackAfter, clock);
    }

    /** The user's state, decoded (the same object until it is evicted), or null when the user has none. */
    public UserState load(String user) {
        Entry entry = entryOf(user);
        if (entry != null) {
            return entry.state;
        }
        byte[] stored = encoded.get(user);
        if (stored == null) {
            return null;
        }
        UserState state = serde.decode(stored);
        hold(new Entry(user, state));
        return state;
    }

    /** Records {@code state} as the user's state; it is written to the encoded store by the next flush. */
    public void save(String user, UserState state) {
        Entry entry = entryOf(user);
        if (entry == null) {
            entry = new Entry(user, state);
            hold(entry);
        } else {
            entry.state = state;
        }
        if (!entry.dirty) {
            entry.dirty = true;
            entry.changedAt = clock.getAsLong();
            changed.add(entry);
        }
    }

    /**
     * Writes up to {@code max} users changed at least {@code users.write.back.after} ago (less as a distant
     * commit nears: {@link #writeBackDelay}) to the store, oldest change first. Called a little after each
     * event and on the clock, it spreads the writes over time: queries see a change that long after it, and
     * a commit (every 30 s at-least-once) finds only the changes since then left to write instead of
     * stalling the events behind it on all of them. A busy user is written once per that time, however many
     * of their events it holds.
     */
    public void writeBackChanged(int max) {
        long now = clock.getAsLong();
        long due = now - writeBackDelay(now);
        int written = 0;
        while (written < max && !changed.isEmpty()) {
            Entry oldest = changed.peekFirst();
            if (oldest.dirty) {
                if (oldest.changedAt > due) {
                    return;
                }
                writeIfChanged(oldest);
                written++;
            }
            changed.pollFirst();
        }
    }

    /**
     * How long after their change users are written back at {@code now}: {@code users.write.back.after}, but
     * where commits are further apart than that, no longer than the time left until the next commit. Over the
     * last {@code users.write.back.after} before it the writes speed up, and the commit, which must write every
     * changed user before the input's offsets, finds only the last moments' changes left instead of stalling
     * the events behind it on several seconds' worth (about 250 ms at 6,000 events/s on the benchmark machine).
     * A user written then and changed again is written twice; the rest of the time, once per delay.
     */
    private long writeBackDelay(long now) {
        if (commitIntervalMs <= writeBackAfterMs) {
            return writeBackAfterMs;
        }
        if (now - lastCommitAt > commitIntervalMs) {
            // Kafka Streams commits only tasks that processed something, and counts its interval on from the
            // commits that found nothing to do: after a quiet spell the next one keeps the same beat.
            lastCommitAt += (now - lastCommitAt) / commitIntervalMs * commitIntervalMs;
        }
        return Math.max(0, Math.min(writeBackAfterMs, lastCommitAt + commitIntervalMs - now));
    }

    /** Writes the user's state to the store now if it changed since it was last written (flush work that just changed it). */
    void writeBack(String user) {
        Entry entry = entryOf(user);
        if (entry != null) {
            writeIfChanged(entry);
        }
    }

    /**
     * Runs {@code write}, a write to another store that goes with the change of the user just saved (a
     * remembered order id), once that state is written to the encoded store: at once if it is written
     * already. Under at-least-once a crash loses the changes not written yet, and the input that made them
     * comes again; written before them, the id would drop that input as a duplicate.
     */
    public void afterStateWritten(String user, Runnable write) {
        Entry entry = entryOf(user);
        if (entry == null || !entry.dirty) {
            write.run();
            return;
        }
        if (entry.afterWrite == null) {
            entry.afterWrite = new ArrayList<>(2);
        }
        entry.afterWrite.add(write);
    }

    /**
     * Runs {@code write} once the input processed so far is committed, for what goes with no user's state
     * (an erasure's request id, the user deleted): under exactly-once at the end of the next
     * {@link #flushCache()}, in the transaction that commits the input; at-least-once at the end of the
     * first one after the input's offsets are committed ({@link #commit}). Until then a crash makes the
     * input before {@code write} come again (the events that made the erased user anew), and the input
     * that asked for it must come again too (to erase them again) rather than be dropped as a duplicate. A
     * crash after the commit loses the write but not the input: a later repeat of it runs again.
     */
    public void afterInputCommitted(Runnable write) {
        (committedWithFlush ? atNextFlush : afterCommit).add(write);
    }

    /**
     * Whether what the task's stores write before a commit is committed with the input's offsets, as one
     * transaction (exactly-once), rather than ahead of them (at-least-once).
     */
    public boolean committedWithInput() {
        return committedWithFlush;
    }

    /**
     * Removes the user's state: the decoded one at once (a pending write of it is dropped) and the
     * encoded one with a tombstone in the store's changelog. Returns whether there was any.
     */
    public boolean delete(String user) {
        Entry entry = decoded.remove(user);
        recent = null;
        if (entry != null) {
            // It may still sit in the queue of changed users; a clean entry is skipped there.
            entry.dirty = false;
        }
        stopWaiting(entry);
        if (!waitingEvicted.isEmpty()) {
            stopWaiting(waitingEvicted.remove(user));
        }
        boolean existed = encoded.delete(user) != null || entry != null;
        if (entry != null) {
            runAfterWrite(entry);
        }
        return existed;
    }

    /**
     * Records {@code state} as the state of a user read from a scan: held decoded if it already is,
     * else written to the encoded store at once (a pass over every user does not evict the active ones).
     */
    public void saveScanned(String user, UserState state) {
        if (decoded.containsKey(user)) {
            save(user, state);
        } else {
            write(user, state);
        }
    }

    /** The decoded state held for {@code user}, or null; does not read the encoded store. */
    public UserState held(String user) {
        Entry entry = entryOf(user);
        return entry == null ? null : entry.state;
    }

    /**
     * The user, held since the save that just changed them, waits (again) for the processor, with an
     * event of {@code eventTime}: kept with their decoded state, so that the user costs no lookup of
     * their own when {@link #takeWaiting} hands them over.
     */
    void markWaiting(String user, long eventTime) {
        markWaiting(heldEntry(user), eventTime);
    }

    /**
     * Whether the user, held since the save that just changed them, is decided at once rather than waiting:
     * they do not wait already and the processor last took them (a decision of their events) at least
     * {@code quietMs} before {@code now}; that is then recorded as a decision at {@code now}. Otherwise they
     * wait (again), as with {@link #markWaiting}.
     */
    boolean decideAtOnceElseWait(String user, long eventTime, long now, long quietMs) {
        Entry entry = heldEntry(user);
        if (!entry.waiting && now - entry.decidedAt >= quietMs) {
            entry.decidedAt = now;
            return true;
        }
        markWaiting(entry, eventTime);
        return false;
    }

    private Entry heldEntry(String user) {
        Entry entry = entryOf(user);
        if (entry == null) {
            throw new IllegalStateException("A user waits only when held: save them first");
        }
        return entry;
    }

    private void markWaiting(Entry entry, long eventTime) {
        if (entry.waiting) {
            entry.latestEventTime = Math.max(entry.latestEventTime, eventTime);
            return;
        }
        entry.waiting = true;
        entry.latestEventTime = eventTime;
        entry.waitingAt = waiting.size();
        waiting.add(entry);
    }

    /** Stops the user's wait: the latest event time they waited with, or null when they were not waiting. */
    Long stopWaiting(String user) {
        if (waiting.isEmpty()) {
            return null;
        }
        Entry entry = entryOf(user);
        if ((entry == null || !entry.waiting) && !waitingEvicted.isEmpty()) {
            entry = waitingEvicted.remove(user);
        }
        if (entry == null || !entry.waiting) {
            return null;
        }
        stopWaiting(entry);
        return entry.latestEventTime;
    }

    private void stopWaiting(Entry entry) {
        if (entry != null && entry.waiting) {
            entry.waiting = false;
            waiting.set(entry.waitingAt, null);
        }
    }

    /**
     * Hands every waiting user to {@code take}, in the order they started waiting, with the latest event
     * time they waited with, each stopped waiting first and taken at {@code now} (and, when held, made the
     * entry the next lookups of the user find first).
     */
    void takeWaiting(long now, ObjLongConsumer<String> take) {
        for (int i = 0; i < waiting.size(); i++) {
            Entry entry = waiting.get(i);
            if (entry == null) {
                continue;
            }
            entry.waiting = false;
            entry.decidedAt = now;
            if (!waitingEvicted.isEmpty() && waitingEvicted.remove(entry.user) == entry) {
                recent = null;
            } else {
                recent = entry;
            }
            take.accept(entry.user, entry.latestEventTime);
        }
        waiting.clear();
        waitingEvicted.clear();
    }

    /** Whether a user waits (or a place where one stopped waiting is left until the next {@link #takeWaiting}). */
    boolean anyWaiting() {
        return !waiting.isEmpty();
    }

    /** The user's second in {@link DueTimes} kept with their decoded state, or null (none kept, or not held). */
    DueTimes.Second dueSecond(String user) {
        Entry entry = entryOf(user);
        return entry == null ? null : entry.dueSecond;
    }

    /** Keeps the user's second in {@link DueTimes} with their decoded state, if it is held. */
    void keepDueSecond(String user, DueTimes.Second second) {
        Entry entry = entryOf(user);
        if (entry != null) {
            entry.dueSecond = second;
        }
    }

    /** The user's entry if held, made the most recently used. */
    private Entry entryOf(String user) {
        Entry last = recent;
        if (last != null && last.user.equals(user)) {
            // Already the most recently used: the load of an event, then its save.
            return last;
        }
        Entry entry = decoded.get(user);
        recent = entry;
        return entry;
    }

    private void hold(Entry entry) {
        if (!waitingEvicted.isEmpty()) {
            Entry evicted = waitingEvicted.remove(entry.user);
            if (evicted != null && evicted.waiting) {
                // Held again, the user goes on waiting in the same place.
                evicted.waiting = false;
                entry.waiting = true;
                entry.latestEventTime = evicted.latestEventTime;
                entry.waitingAt = evicted.waitingAt;
                waiting.set(entry.waitingAt, entry);
            }
        }
        decoded.put(entry.user, entry);
        recent = entry;
    }

    /**
     * Runs {@code work} at the start of every {@link #flushCache()} (before each commit). It may load and save
     * users; their states are written right after it.
     */
    void beforeFlush(Runnable work) {
        beforeFlush = work;
    }

    private static void nothing() {
    }

    /** Writes every changed user to the encoded store (and its changelog), oldest change first, after the {@link #beforeFlush} work. */
    @Override
    public void flushCache() {
        beforeFlush.run();
        // Every changed user is in the queue: the held ones that did not change (most of them, under
        // exactly-once's commit every 100 ms) are not looked at.
        for (Entry entry : changed) {
            writeIfChanged(entry);
        }
        changed.clear();
        // By position: a write may load a user, and the eviction that makes room may write another.
        for (int i = 0; i < atNextFlush.size(); i++) {
            atNextFlush.get(i).run();
        }
        atNextFlush.clear();
    }

    /**
     * The users changed since they were last written, with their decoded states, by user: the encoded store
     * has an older state of each, or none (a user new since). A scan of the store starting now takes these
     * from here rather than having them written first: up to {@code users.write.back.after} of changes wait
     * at-least-once, and writing them all held up the events behind the scan as long as a commit did (about
     * 250 ms at 6,000 events/s on the benchmark machine). Nothing is written, decided or reordered.
     */
    public Map<String, UserState> changedStates() {
        Map<String, UserState> states = new HashMap<>();
        for (Entry entry : changed) {
            if (entry.dirty) {
                states.put(entry.user, entry.state);
            }
        }
        return states;
    }

    /** Writes the entry's state if it changed since it was last written, and marks it written. */
    private void writeIfChanged(Entry entry) {
        if (entry.dirty) {
            write(entry.user, entry.state);
            entry.dirty = false;
            runAfterWrite(entry);
        }
    }

    private static void runAfterWrite(Entry entry) {
        if (entry.afterWrite != null) {
            List<Runnable> writes = entry.afterWrite;
            entry.afterWrite = null;
            writes.forEach(Runnable::run);
        }
    }

    /** Encodes {@code state} into the encoded store (and its changelog). */
    private void write(String user, UserState state) {
        encoded.put(user, serde.encode(state));
    }

    @Override
    public void clearCache() {
        forgetDecoded();
    }

    private void forgetDecoded() {
        decoded.clear();
        changed.clear();
        atNextFlush.clear();
        afterCommit.clear();
        waiting.clear();
        waitingEvicted.clear();
        recent = null;
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<String, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return encoded.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        // A re-initialised store serves a new incarnation of its task, whose processor registers its own work.
        beforeFlush = UserStore::nothing;
        forgetDecoded();
        Map<String, Object> configs = context.appConfigs();
        committedWithFlush = StreamsConfig.EXACTLY_ONCE_V2.equals(configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        Object commitInterval = configs.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        commitIntervalMs = commitInterval == null ? 0 : Long.parseLong(commitInterval.toString());
        lastCommitAt = clock.getAsLong();
        encoded.init(context, root);
    }

    @Override
    public void flush() {
        encoded.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        encoded.commit(changelogOffsets);
        lastCommitAt = clock.getAsLong();
        // At-least-once, Kafka Streams commits a store after the input's offsets (when it checkpoints).
        if (!afterCommit.isEmpty()) {
            atNextFlush.addAll(afterCommit);
            afterCommit.clear();
        }
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return encoded.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return encoded.managesOffsets();
    }

    @Override
    public void close() {
        forgetDecoded();
        encoded.close();
    }

    @Override
    public boolean persistent() {
        return encoded.persistent();
    }

    @Override
    public boolean isOpen() {
        return encoded.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return encoded.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return encoded.getPosition();
    }

    // Reads of the encoded store, for scans and interactive queries (safe from other threads).

    @Override
    public byte[] get(String user) {
        return encoded.get(user);
    }

    @Override
    public KeyValueIterator<String, byte[]> range(String from, String to) {
        return encoded.range(from, to);
    }

    @Override
    public KeyValueIterator<String, byte[]> reverseRange(String from, String to) {
        return encoded.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, byte[]> all() {
        return encoded.all();
    }

    @Override
    public KeyValueIterator<String, byte[]> reverseAll() {
        return encoded.reverseAll();
    }

    @Override
    public long approximateNumEntries() {
        return encoded.approximateNumEntries();
    }

    private static final class Entry {
        final String user;
        UserState state;
        /** Changed since it was last written; then it is in {@link #changed}, once. */
        boolean dirty;
        /** Wall-clock ms of the first change since it was last written. */
        long changedAt;
        /** What {@link DueTimes} last returned for the user, or null. */
        DueTimes.Second dueSecond;
        /** Waiting for the processor ({@link #markWaiting}); then it is at {@link #waitingAt} in {@link #waiting}. */
        boolean waiting;
        int waitingAt;
        /** The latest event time the user waits with. */
        long latestEventTime;
        /** Wall-clock ms the processor last took the user's waiting events, or decided them at once; 0 before. */
        long decidedAt;
        /** Writes to other stores waiting for this state to be written ({@link #afterStateWritten}), or null. */
        List<Runnable> afterWrite;

        Entry(String user, UserState state) {
            this.user = user;
            this.state = state;
        }
    }

    /** Decoded users in access order; the least recently used beyond the bound is written back if changed and dropped. */
    private final class Decoded extends LinkedHashMap<String, Entry> {
        private final int max;

        Decoded(int max) {
            super(Math.min(max, 1 << 16) * 4 / 3 + 1, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            if (size() <= max) {
                return false;
            }
            Entry entry = eldest.getValue();
            if (entry == recent) {
                recent = null;
            }
            if (entry.waiting) {
                waitingEvicted.put(entry.user, entry);
            }
            writeIfChanged(entry);
            return true;
        }
    }

    private static final class Builder implements StoreBuilder<UserStore> {
        private final StoreBuilder<KeyValueStore<String, byte[]>> encoded;
        private final int maxDecoded;
        private final Duration writeBackAfter;
        private final LongSupplier clock;

        Builder(StoreBuilder<KeyValueStore<String, byte[]>> encoded, int maxDecoded, Duration writeBackAfter,
                LongSupplier clock) {
            this.encoded = encoded;
            this.maxDecoded = maxDecoded;
            this.writeBackAfter = writeBackAfter;
            this.clock = clock;
        }

        @Override
        public StoreBuilder<UserStore> withCachingEnabled() {
            throw new UnsupportedOperationException("store " + name() + " keeps decoded users itself; Kafka's record cache "
                    + "would hold a second copy");
        }

        @Override
        public StoreBuilder<UserStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<UserStore> withLoggingEnabled(Map<String, String> config) {
            encoded.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<UserStore> withLoggingDisabled() {
            encoded.withLoggingDisabled();
            return this;
        }

        @Override
        public UserStore build() {
            return new UserStore(encoded.build(), maxDecoded, writeBackAfter, clock);
        }

        @Override
        public Map<String, String> logConfig() {
            return encoded.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return encoded.loggingEnabled();
        }

        @Override
        public String name() {
            return encoded.name();
        }
    }
}
