package io.segstream.features;

import io.segstream.facts.CategoryCounts;
import io.segstream.facts.Dwell;
import io.segstream.serde.StateEncoding;
import java.io.IOException;
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

    /*
     * The last event folded, whose dwell may still be decided by the next one (its session key is null
     * before the first click), and the session being continued (its key null likewise). They are fields
     * of this state rather than objects of their own: each click reads and changes them, and an object of
     * its own would be one more place in memory to fetch, cold again by the user's next event (and a new
     * session would make a new one, which the collector copies out of the young generation while the
     * state holds it).
     */
    private long previousAt;
    private String previousSession;
    private String previousCategory;
    private boolean previousDwellKnown;
    long sessions;
    long totalDwellMs;
    private String currentKey;
    private long currentStart;
    private long currentLastAt;
    private long currentDwellMs;
    private int currentPages;
    /** The tracker's session id in {@link #currentKey}, once read (each view hands it out); never encoded. */
    private String currentTrackerId;
    /** Recently seen session keys, so switching back to an open tab's session does not count it again. */
    SessionKeys recentSessions = new SessionKeys(REMEMBERED_SESSIONS);
    DayCounts sessionStartsByDay = new DayCounts();
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

    /** The tracker's session id of the current session, or null for a session derived from the inactivity gap. */
    private String currentTrackerId() {
        if (currentTrackerId == null && currentKey.startsWith("s:")) {
            currentTrackerId = currentKey.substring(2);
        }
        return currentTrackerId;
    }

    void fold(Activity activity, long sessionGapMs, long dwellMaxMs) {
        if (!activity.isClick()) {
            return;
        }
        String key = sessionKey(activity, sessionGapMs);
        if (previousSession != null && !previousDwellKnown && previousSession.equals(key)) {
            addDwell(previousAt, previousCategory, Math.min(activity.at() - previousAt, dwellMaxMs));
        }
        if (currentKey == null || !currentKey.equals(key)) {
            if (!recentSessions.contains(key)) {
                sessions++;
                long day = Times.day(activity.at());
                sessionStartsByDay.add(day, 1);
                sessionsEncoded = null;
                if (day <= recentSessionsDay && day > recentSessionsDay - SESSION_WINDOW_DAYS) {
                    recentSessionCount++;
                }
                recentSessions.add(key);
            }
            currentKey = key;
            currentStart = activity.at();
            currentLastAt = activity.at();
            currentDwellMs = 0;
            currentPages = 0;
            currentTrackerId = null;
        }
        currentLastAt = Math.max(currentLastAt, activity.at());
        currentPages += activity.isPageView() ? 1 : 0;
        if (activity.dwellMs() != null && activity.dwellMs() > 0) {
            addDwell(activity.at(), activity.category(), activity.dwellMs());
        }
        previousAt = activity.at();
        previousSession = key;
        previousCategory = activity.category();
        previousDwellKnown = activity.dwellMs() != null;
        long today = Times.day(activity.at());
        if (sessionStartsByDay.dropBefore(today - SESSION_WINDOW_DAYS + 1)) {
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
            if (currentKey != null && tracked.equals(currentTrackerId())) {
                return currentKey;
            }
            return "s:" + tracked;
        }
        if (previousSession != null && activity.at() - previousAt <= sessionGapMs) {
            return previousSession;
        }
        return "g:" + activity.at();
    }

    private void addDwell(long at, String category, long ms) {
        if (ms <= 0) {
            return;
        }
        totalDwellMs += ms;
        currentDwellMs += ms;
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
        copy.previousAt = previousAt;
        copy.previousSession = previousSession;
        copy.previousCategory = previousCategory;
        copy.previousDwellKnown = previousDwellKnown;
        copy.sessions = sessions;
        copy.totalDwellMs = totalDwellMs;
        copy.currentKey = currentKey;
        copy.currentStart = currentStart;
        copy.currentLastAt = currentLastAt;
        copy.currentDwellMs = currentDwellMs;
        copy.currentPages = currentPages;
        copy.currentTrackerId = currentTrackerId;
        copy.recentSessionsDay = recentSessionsDay;
        copy.recentSessionCount = recentSessionCount;
        copy.sessionsEncoded = sessionsEncoded;
        copy.olderDaysEncoded = olderDaysEncoded;
        copy.recentSessions = recentSessions.copy();
        copy.sessionStartsByDay = sessionStartsByDay.copy();
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
            recentSessionCount = sessionStartsByDay.sum(today - SESSION_WINDOW_DAYS + 1, today);
            recentSessionsDay = today;
        }
        CategoryCounts categories = byCategory ? categoryDwellByDay.totals(today, CATEGORY_WINDOW_DAYS) : CategoryCounts.EMPTY;
        Dwell.CurrentSession session = currentKey == null ? null : new Dwell.CurrentSession(
                currentTrackerId(),
                Times.instant(currentStart), Times.instant(currentLastAt), currentDwellMs, currentPages,
                now - currentLastAt <= sessionGapMs, Times.instant(currentLastAt + sessionGapMs));
        return new Dwell(session, sessions, recentSessionCount, sessions == 0 ? 0 : totalDwellMs / sessions,
                totalDwellMs, categories);
    }

    void write(Encoder out) throws IOException {
        StateEncoding.writePresent(out, previousSession != null);
        if (previousSession != null) {
            out.writeLong(previousAt);
            out.writeString(previousSession);
            StateEncoding.writeNullableString(out, previousCategory);
            out.writeBoolean(previousDwellKnown);
        }
        out.writeLong(sessions);
        out.writeLong(totalDwellMs);
        StateEncoding.writePresent(out, currentKey != null);
        if (currentKey != null) {
            out.writeString(currentKey);
            out.writeLong(currentStart);
            out.writeLong(currentLastAt);
            out.writeLong(currentDwellMs);
            out.writeInt(currentPages);
        }
        if (sessionsEncoded == null) {
            sessionsEncoded = StateEncoding.encoded(out, encoder -> {
                StateEncoding.writeArray(encoder, recentSessions.size(), (inner, i) -> inner.writeString(recentSessions.get(i)));
                StateEncoding.writeArray(encoder, sessionStartsByDay.size(), (inner, i) -> {
                    inner.writeLong(sessionStartsByDay.day(i));
                    inner.writeLong(sessionStartsByDay.count(i));
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
        if (StateEncoding.readPresent(in)) {
            dwell.previousAt = in.readLong();
            dwell.previousSession = in.readString();
            dwell.previousCategory = SharedNames.of(StateEncoding.readNullableString(in));
            dwell.previousDwellKnown = in.readBoolean();
        }
        dwell.sessions = in.readLong();
        dwell.totalDwellMs = in.readLong();
        if (StateEncoding.readPresent(in)) {
            dwell.currentKey = in.readString();
            dwell.currentStart = in.readLong();
            dwell.currentLastAt = in.readLong();
            dwell.currentDwellMs = in.readLong();
            dwell.currentPages = in.readInt();
        }
        StateEncoding.readArray(in, decoder -> dwell.recentSessions.add(decoder.readString()));
        StateEncoding.readArray(in, decoder -> dwell.sessionStartsByDay.add(decoder.readLong(), decoder.readLong()));
        StateEncoding.readArray(in, decoder -> {
            CategoryBuckets.Amounts byCategory = dwell.categoryDwellByDay.bucketAt(decoder.readLong());
            StateEncoding.readArray(decoder, inner -> byCategory.add(SharedNames.of(inner.readString()), inner.readLong()));
        });
        return dwell;
    }
}
