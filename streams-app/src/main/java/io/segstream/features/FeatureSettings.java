package io.segstream.features;

import io.segstream.config.SegStreamConfig;
import java.time.Duration;

/** The feature rules' parameters, read once from config. */
public record FeatureSettings(
        TimeMode timeMode,
        Duration grace,
        Duration dedupRetention,
        Duration orderDedupRetention,
        int timelineMaxRecent,
        int dedupMaxRecent,
        Duration timestampMaxFuture,
        Duration punctuationInterval,
        int rfmWindowDays,
        Duration scoresInterval,
        Duration sessionGap,
        long dwellMaxMs,
        Duration abandonAfter,
        Duration interestWindow,
        Duration reevaluateInterval) {

    public static FeatureSettings from(SegStreamConfig config) {
        return new FeatureSettings(
                TimeMode.parse(config.getString(SegStreamConfig.TIME_MODE)),
                config.duration(SegStreamConfig.GRACE),
                config.duration(SegStreamConfig.DEDUP_RETENTION),
                config.duration(SegStreamConfig.ORDERS_DEDUP_RETENTION),
                config.getInt(SegStreamConfig.TIMELINE_MAX_RECENT),
                config.getInt(SegStreamConfig.DEDUP_MAX_RECENT),
                config.duration(SegStreamConfig.TIMESTAMP_MAX_FUTURE),
                config.duration(SegStreamConfig.PUNCTUATION_INTERVAL),
                config.getInt(SegStreamConfig.RFM_WINDOW_DAYS),
                config.duration(SegStreamConfig.RFM_SCORES_INTERVAL),
                config.duration(SegStreamConfig.DWELL_SESSION_GAP),
                config.getLong(SegStreamConfig.DWELL_MAX_MS),
                config.duration(SegStreamConfig.CART_ABANDON_AFTER),
                config.duration(SegStreamConfig.INTEREST_WINDOW),
                config.duration(SegStreamConfig.REEVALUATE_INTERVAL));
    }
}
