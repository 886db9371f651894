package io.segstream.facts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A user's open cart (read model of store {@code cart}). {@code abandonedAt} is set once an
 * abandonment was emitted for the current contents, and cleared when they change.
 */
public record Cart(
        List<CartLine> lines,
        BigDecimal value,
        int items,
        String currency,
        Instant lastActivity,
        boolean checkoutStarted,
        Instant abandonedAt,
        String sessionId) {

    public Cart {
        lines = List.copyOf(lines);
    }
}
