package io.segstream.privacy;

import io.segstream.avro.PrivacyAudit;
import io.segstream.avro.PrivacyOutcome;
import io.segstream.avro.PrivacyRequest;
import io.segstream.features.IdMemory;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The privacy stage of the per-user pipeline: drops re-sent requests (store
 * {@code privacy-request-ids}, by request id and requestedAt), says what consent a request leaves
 * and whether a consent lets a user into segments that require it, and writes the audit record,
 * which names the user only by an HMAC under privacy.audit.key.
 */
public final class PrivacyRequests {

    private static final String HMAC = "HmacSHA256";

    private final IdMemory requestIds;
    private final PrivacySettings settings;
    private final PrivacyCounters counters;
    private final Mac mac;

    public PrivacyRequests(WindowStore<String, Long> requestIds, PrivacySettings settings, PrivacyCounters counters) {
        this.requestIds = new IdMemory(requestIds, settings.dedupRetention().toMillis());
        this.settings = settings;
        this.counters = counters;
        try {
            mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(settings.auditKey(), HMAC));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("this JVM offers no " + HMAC, e);
        }
    }

    /** True when {@code request} is seen for the first time; {@link #remember} remembers it once handled. */
    public boolean first(PrivacyRequest request) {
        boolean first = !requestIds.seen(request.getRequestId(), request.getRequestedAt().toEpochMilli());
        if (!first) {
            counters.duplicate();
        }
        return first;
    }

    /**
     * Remembers the handled {@code request}: a repeat of it is a duplicate from now on, and its id is
     * written to store {@code privacy-request-ids} when {@code when} runs the write (with the state
     * the request changed).
     */
    public void remember(PrivacyRequest request, Consumer<Runnable> when) {
        requestIds.remember(request.getRequestId(), request.getRequestedAt().toEpochMilli(), when);
    }

    /** The consent {@code request} (a consent request) leaves the user with. */
    public Consent consentAfter(PrivacyRequest request) {
        return Consent.of(request.getType());
    }

    /** Whether a user with {@code consent} may be in segments that require consent. */
    public boolean allows(Consent consent) {
        return consent.allows(settings.consentGrantedByDefault());
    }

    /** Counts an output held back because the user's consent does not allow it (a cart abandonment). */
    public void withheld() {
        counters.withheld();
    }

    /** The audit record of a handled request; counts it. */
    public PrivacyAudit audit(PrivacyRequest request, PrivacyOutcome outcome, List<String> storesPurged, int segmentsExited,
            long handledAt) {
        counters.handled(outcome);
        return PrivacyAudit.newBuilder()
                .setRequestId(request.getRequestId())
                .setType(request.getType())
                .setSubject(subject(request.getUserId()))
                .setRequestedAt(request.getRequestedAt())
                .setHandledAt(Instant.ofEpochMilli(handledAt))
                .setOutcome(outcome)
                .setStoresPurged(List.copyOf(storesPurged))
                .setSegmentsExited(segmentsExited)
                .build();
    }

    /** HMAC-SHA256 of {@code user} under the audit key, hex. */
    public String subject(String user) {
        return HexFormat.of().formatHex(mac.doFinal(user.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
