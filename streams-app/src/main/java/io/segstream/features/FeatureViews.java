package io.segstream.features;

import io.segstream.segments.UserFeatures;

/** Reads a user's features as of "now" from their stored states; absent states read as empty. */
public final class FeatureViews {

    private FeatureViews() {}

    public static UserFeatures read(String user, long now, FeatureSettings settings, RfmState rfm, DwellState dwell,
            CartState cart, InterestState interest, RfmQuintiles quintiles) {
        Rfm rfmView = (rfm == null ? new RfmState() : rfm).view(now, settings.rfmWindowDays(), null);
        if (quintiles != null) {
            rfmView = (rfm == null ? new RfmState() : rfm).view(now, settings.rfmWindowDays(), quintiles.scores(rfmView));
        }
        return new UserFeatures(user, now, rfmView,
                (dwell == null ? new DwellState() : dwell).view(now, settings.sessionGap().toMillis()),
                (cart == null ? new CartState() : cart).view(),
                (interest == null ? new InterestState() : interest).view(now, settings.interestWindow().toMillis()));
    }
}
