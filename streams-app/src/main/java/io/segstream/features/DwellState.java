package io.segstream.features;

import io.segstream.facts.CategoryCounts;
import io.segstream.facts.Dwell;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.util.TreeMap;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * A user's sessions and time on pages (part of the user's state). An event's dwell is its tracker's
 * dwell_ms, else the gap to the next event of the same session capped at dwell.max.ms; the last
 * event of a session adds nothing. Folded from the timeline in event-time order.
 */
public final class DwellState {

    static final int SESSION_WINDOW_DAYS = 30;
    static final int CATEGORY_WINDOW_DAYS = 7;
    private static final int REMEMBERED_SESSIONS = 16;
    private static final String UNCATEGORIZED = "(none)";

    /** The last event folded, whose dwell may still be decided by the next one; changed in place. */
    Page previous;
    long sessions;
    long totalDwellMs;
    /** Session being continued: key, start, last event, dwell and page count; changed in place. */
    Session current;
    /** Recently seen session keys, so switching back to an open tab's session does not count it again. */
    SessionKeys recentSessions = new SessionKeys(REMEMBERED_SESSIONS);
    TreeMap<Long, Long> sessionStartsByDay = new TreeMap<>();
    /** Dwell per category by day, with the totals of the last {@link #CATEGORY_WINDOW_DAYS} kept in step. */
    CategoryBuckets categoryDwellByDay = new CategoryBuckets();
    /**
     * The sessions started in the window ending at day {@link #recentSessionsDay}, derived from
     * {@link #sessionStartsByDay} when first read for that day, counted on as sessions start and derived
     * again when a day is dropped (a view after each new session would otherwise walk the days again);
     * never encoded.
     */
    private long recentSessionsDay = Long.MIN_VALUE;
    private long recentSessionCount;
    /**
     * The encoding of {@link #recentSessions} and {@link #sessionStartsByDay}, which change when a
     * session starts or a day leaves the window, kept until then (the state is written at every
     * commit the user changed in); null until written and after a change. Shared with copies.
     */
    private byte[] sessionsEncoded;
    /**
     * The encoded entries of {@link #categoryDwellByDay} before its newest day, which only a late
     * event or a new day changes (nearly every dwell lands in the newest day), kept until then; null
     * until written and after a change. Shared with copies.
     */
    private byte[] olderDaysEncoded;

    /**
     * The last page, changed in place with each click. Like {@link Session}, it changes with nearly
     * every click of a user whose state stays decoded between events, and changed in place rather than
     * made anew it adds nothing per click for the collector to copy out of the young generation (an
     * object the state holds lives until the user's next event, usually past a collection). Copies of
     * the state copy it.
     */
    static final class Page {
        long at;
        String session;
        String category;
        boolean dwellKnown;

        Page(long at, String session, String category, boolean dwellKnown) {
            set(at, session, category, dwellKnown);
        }

        void set(long at, String session, String category, boolean dwellKnown) {
            this.at = at;
            this.session = session;
            this.category = category;
            this.dwellKnown = dwellKnown;
        }

        Page copy() {
            return new Page(at, session, category, dwellKnown);
        }
    }

    /** The session being continued, changed in place as it goes on (see {@link Page}). */
    static final class Session {
        final String key;
        final long start;
        long lastAt;
        long dwellMs;
        int pages;
        /** The tracker's session id in {@link #key}, once read (each view hands it out); never encoded. */
        private String trackerSessionId;

        Session(String key, long start, long lastAt, long dwellMs, int pages) {
            this.key = key;
            this.start = start;
            this.lastAt = lastAt;
            this.dwellMs = dwellMs;
            this.pages = pages;
        }

        void touch(long at, boolean page) {
            lastAt = Math.max(lastAt, at);
            pages += page ? 1 : 0;
        }

        Session copy() {
            Session copy = new Session(key, start, lastAt, dwellMs, pages);
            copy.trackerSessionId = trackerSessionId;
            return copy;
        }

        /** The tracker's session id, or null for a session derived from the inactivity gap. */
        String trackerSessionId() {
            if (trackerSessionId == null && key.startsWith("s:")) {
                trackerSessionId = key.substring(2);
            }
            return trackerSessionId;
        }
    }

    void fold(Activity activity, long sessionGapMs, long dwellMaxMs) {
        if (!activity.isClick()) {
            return;
        }
        String key = sessionKey(activity, sessionGapMs);
        if (previous != null && !previous.dwellKnown && previous.session.equals(key)) {
            addDwell(previous.at, previous.category, Math.min(activity.at() - previous.at, dwellMaxMs));
        }
        if (current == null || !current.key.equals(key)) {
            if (!recentSessions.contains(key)) {
                sessions++;
                long day = Times.day(activity.at());
                sessionStartsByDay.merge(day, 1L, Long::sum);
                sessionsEncoded = null;
                if (day <= recentSessionsDay && day > recentSessionsDay - SESSION_WINDOW_DAYS) {
                    recentSessionCount++;
                }
                recentSessions.add(key);
            }
            current = new Session(key, activity.at(), activity.at(), 0, 0);
        }
        current.touch(activity.at(), activity.isPageView());
        if (activity.dwellMs() != null && activity.dwellMs() > 0) {
            addDwell(activity.at(), activity.category(), activity.dwellMs());
        }
        if (previous == null) {
            previous = new Page(activity.at(), key, activity.category(), activity.dwellMs() != null);
        } else {
            previous.set(activity.at(), key, activity.category(), activity.dwellMs() != null);
        }
        long today = Times.day(activity.at());
        if (Buckets.dropBefore(sessionStartsByDay, today - SESSION_WINDOW_DAYS + 1)) {
            recentSessionsDay = Long.MIN_VALUE;
            sessionsEncoded = null;
        }
        if (categoryDwellByDay.dropBefore(today - CATEGORY_WINDOW_DAYS + 1)) {
            olderDaysEncoded = null;
        }
    }

    private String sessionKey(Activity activity, long sessionGapMs) {
        String tracked = activity.sessionId();
        if (tracked != null) {
            // Nearly every click continues the current session: its key is taken, not made again. The id
            // is compared with the session's tracker id, read from its key once (each view hands it out
            // too), as a whole: matching the key's end byte by byte cost more with every click.
            if (current != null && tracked.equals(current.trackerSessionId())) {
                return current.key;
            }
            return "s:" + tracked;
        }
        if (previous != null && activity.at() - previous.at <= sessionGapMs) {
            return previous.session;
        }
        return "g:" + activity.at();
    }

    private void addDwell(long at, String category, long ms) {
        if (ms <= 0) {
            return;
        }
        totalDwellMs += ms;
        current.dwellMs += ms;
        String key = category == null ? UNCATEGORIZED : category;
        long day = Times.day(at);
        if (categoryDwellByDay.isEmpty() || day != categoryDwellByDay.newestTime()) {
            // A late day changes an older day's entry; a new day makes the newest one older.
            olderDaysEncoded = null;
        }
        categoryDwellByDay.add(day, key, ms);
    }

    DwellState copy() {
        DwellState copy = new DwellState();
        copy.previous = previous == null ? null : previous.copy();
        copy.sessions = sessions;
        copy.totalDwellMs = totalDwellMs;
        copy.current = current == null ? null : current.copy();
        copy.recentSessionsDay = recentSessionsDay;
        copy.recentSessionCount = recentSessionCount;
        copy.sessionsEncoded = sessionsEncoded;
        copy.olderDaysEncoded = olderDaysEncoded;
        copy.recentSessions = recentSessions.copy();
        copy.sessionStartsByDay = new TreeMap<>(sessionStartsByDay);
        copy.categoryDwellByDay = categoryDwellByDay.copy();
        return copy;
    }

    /** The read model as of {@code now}. */
    public Dwell view(long now, long sessionGapMs) {
        return view(now, sessionGapMs, true);
    }

    /** The read model as of {@code now}; without {@code byCategory} its dwell per category is left empty. */
    Dwell view(long now, long sessionGapMs, boolean byCategory) {
        long today = Times.day(now);
        if (recentSessionsDay != today) {
            recentSessionCount = 0;
            for (long started : sessionStartsByDay.subMap(today - SESSION_WINDOW_DAYS + 1, true, today, true).values()) {
                recentSessionCount += started;
            }
            recentSessionsDay = today;
        }
        CategoryCounts categories = byCategory ? categoryDwellByDay.totals(today, CATEGORY_WINDOW_DAYS) : CategoryCounts.EMPTY;
        Dwell.CurrentSession session = current == null ? null : new Dwell.CurrentSession(
                current.trackerSessionId(),
                Times.instant(current.start), Times.instant(current.lastAt), current.dwellMs, current.pages,
                now - current.lastAt <= sessionGapMs, Times.instant(current.lastAt + sessionGapMs));
        return new Dwell(session, sessions, recentSessionCount, sessions == 0 ? 0 : totalDwellMs / sessions,
                totalDwellMs, categories);
    }

    void write(Encoder out) throws IOException {
        StateEncoding.writeNullable(out, previous, (encoder, page) -> {
            encoder.writeLong(page.at);
            encoder.writeString(page.session);
            StateEncoding.writeNullableString(encoder, page.category);
            encoder.writeBoolean(page.dwellKnown);
        });
        out.writeLong(sessions);
        out.writeLong(totalDwellMs);
        StateEncoding.writeNullable(out, current, (encoder, session) -> {
            encoder.writeString(session.key);
            encoder.writeLong(session.start);
            encoder.writeLong(session.lastAt);
            encoder.writeLong(session.dwellMs);
            encoder.writeInt(session.pages);
        });
        if (sessionsEncoded == null) {
            sessionsEncoded = StateEncoding.encoded(out, encoder -> {
                StateEncoding.writeArray(encoder, recentSessions.size(), (inner, i) -> inner.writeString(recentSessions.get(i)));
                StateEncoding.writeArray(encoder, sessionStartsByDay.entrySet(), (inner, day) -> {
                    inner.writeLong(day.getKey());
                    inner.writeLong(day.getValue());
                });
            });
        }
        out.writeFixed(sessionsEncoded);
        writeCategoryDwell(out);
    }

    /**
     * {@link #categoryDwellByDay} as an array of its days in one block, the days before the newest
     * taken from {@link #olderDaysEncoded}: the same bytes as writing every day.
     */
    private void writeCategoryDwell(Encoder out) throws IOException {
        int days = categoryDwellByDay.size();
        out.writeArrayStart();
        out.setItemCount(days);
        if (days > 0) {
            if (olderDaysEncoded == null) {
                olderDaysEncoded = StateEncoding.encoded(out, encoder -> {
                    for (int day = 0; day < days - 1; day++) {
                        writeDay(encoder, categoryDwellByDay.bucket(day));
                    }
                });
            }
            out.writeFixed(olderDaysEncoded);
            writeDay(out, categoryDwellByDay.bucket(days - 1));
        }
        out.writeArrayEnd();
    }

    /** One day's item (a binary encoder writes nothing to start an item, so the items can be kept apart). */
    private static void writeDay(Encoder out, CategoryBuckets.Bucket day) throws IOException {
        out.startItem();
        out.writeLong(day.time);
        CategoryBuckets.Amounts dwell = day.amounts;
        StateEncoding.writeArray(out, dwell.size(), (inner, i) -> {
            inner.writeString(dwell.category(i));
            inner.writeLong(dwell.value(i));
        });
    }

    static DwellState read(Decoder in) throws IOException {
        DwellState dwell = new DwellState();
        dwell.previous = StateEncoding.readNullable(in, decoder -> new Page(decoder.readLong(), decoder.readString(),
                SharedNames.of(StateEncoding.readNullableString(decoder)), decoder.readBoolean()));
        dwell.sessions = in.readLong();
        dwell.totalDwellMs = in.readLong();
        dwell.current = StateEncoding.readNullable(in, decoder -> new Session(decoder.readString(), decoder.readLong(),
                decoder.readLong(), decoder.readLong(), decoder.readInt()));
        StateEncoding.readArray(in, decoder -> dwell.recentSessions.add(decoder.readString()));
        StateEncoding.readArray(in, decoder -> dwell.sessionStartsByDay.put(decoder.readLong(), decoder.readLong()));
        StateEncoding.readArray(in, decoder -> {
            CategoryBuckets.Amounts byCategory = dwell.categoryDwellByDay.bucketAt(decoder.readLong());
            StateEncoding.readArray(decoder, inner -> byCategory.add(SharedNames.of(inner.readString()), inner.readLong()));
        });
        return dwell;
    }
}
