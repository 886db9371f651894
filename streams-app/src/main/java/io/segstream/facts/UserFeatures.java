package io.segstream.facts;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one user at one "now": the read models of the feature stores. Missing
 * stores (a user who never ordered has no rfm entry) are empty read models, never null.
 */
public record UserFeatures(String userId, long now, Rfm rfm, Dwell dwell, Cart cart, Interest interest) {

    /** A user with no history as of {@code now}: no orders, sessions, cart or product views. */
    public static UserFeatures blank(String userId, long now) {
        return new UserFeatures(userId, now,
                new Rfm(0, BigDecimal.ZERO, null, null, null, null, 0, BigDecimal.ZERO, 0, 0, BigDecimal.ZERO, null),
                new Dwell(null, 0, 0, 0, 0, Map.of()),
                new Cart(List.of(), BigDecimal.ZERO, 0, null, null, false, null, null),
                new Interest(Map.of()));
    }
}
