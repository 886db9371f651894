package io.segstream.privacy;

import io.segstream.config.SegStreamConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.config.types.Password;

/**
 * The privacy rules' parameters, read once from config: the consent of users who never said, the
 * key of the audit's user hash (the application id when privacy.audit.key is not set, which
 * {@code auditKeyConfigured} tells), and how long request ids are remembered.
 */
public record PrivacySettings(boolean consentGrantedByDefault, byte[] auditKey, boolean auditKeyConfigured,
        Duration dedupRetention) {

    public static PrivacySettings from(SegStreamConfig config) {
        Password key = config.getPassword(SegStreamConfig.PRIVACY_AUDIT_KEY);
        boolean configured = key != null && !key.value().isEmpty();
        String auditKey = configured ? key.value() : config.getString(SegStreamConfig.APPLICATION_ID);
        return new PrivacySettings("granted".equals(config.getString(SegStreamConfig.PRIVACY_CONSENT_DEFAULT)),
                auditKey.getBytes(StandardCharsets.UTF_8), configured,
                config.duration(SegStreamConfig.PRIVACY_DEDUP_RETENTION));
    }
}
