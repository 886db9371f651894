package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Click de-duplication answers from a busy user's index of fingerprints exactly as from the list of
 * their recent events: the same duplicates, across expiry, the cap on recent events, fingerprints
 * that share their low bits, the fingerprint 0, and a record written and read back (which drops the
 * index until it is rebuilt).
 */
class RecentEventsProperties {

    private static final long RETENTION = 1_000;

    private record Seen(long fingerprint, long at) {}

    @Property(tries = 200)
    void theIndexFindsTheDuplicatesTheRecentEventsHold(@ForAll long seed, @ForAll @IntRange(min = 1, max = 600) int events,
            @ForAll @IntRange(min = 1, max = 120) int max) throws IOException {
        Random random = new Random(seed);
        // Few distinct ids, many of them alike in their low bits (the slots of the index), and 0 among them.
        long[] ids = new long[1 + random.nextInt(200)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i == 0 ? 0 : (long) random.nextInt(1 << 20) << 40 | random.nextInt(8);
        }
        RecentEvents recent = new RecentEvents();
        List<Seen> expected = new ArrayList<>();
        long latest = Long.MIN_VALUE;
        long time = 0;
        for (int event = 0; event < events; event++) {
            long fingerprint = ids[random.nextInt(ids.length)];
            time += random.nextInt(60) - 20;
            if (random.nextInt(100) == 0) {
                recent = writtenAndRead(recent);
            }

            boolean first = recent.add(fingerprint, time, RETENTION, max);

            // The rules, over a plain list in arrival order.
            boolean seen = expected.stream().anyMatch(entry -> entry.fingerprint() == fingerprint);
            assertThat(first).as("event %d, fingerprint %x", event, fingerprint).isEqualTo(!seen);
            if (!seen) {
                expected.add(new Seen(fingerprint, time));
                if (time > latest) {
                    latest = time;
                    long before = latest - RETENTION;
                    expected.removeIf(entry -> entry.at() < before);
                }
                while (expected.size() > max) {
                    expected.remove(0);
                }
            }
            assertThat(recent.size()).isEqualTo(expected.size());
        }
    }

    private static RecentEvents writtenAndRead(RecentEvents recent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        recent.write(encoder);
        encoder.flush();
        return RecentEvents.read(DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }
}
