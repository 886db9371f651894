package io.segstream.facts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's open cart (read model of store {@code cart}). {@code abandonedAt} is set once an
 * abandonment was emitted for the current contents, and cleared when they change. {@code categories}
 * are those of the lines, each once, in the order of the lines ({@link #categoriesOf}): derived once
 * per change of the contents by the features, not at every read of {@code cart.categories}.
 */
public record Cart(
        List<CartLine> lines,
        BigDecimal value,
        int items,
        String currency,
        Instant lastActivity,
        boolean checkoutStarted,
        Instant abandonedAt,
        String sessionId,
        List<String> categories) {

    public Cart {
        lines = List.copyOf(lines);
        categories = List.copyOf(categories);
    }

    /** A cart whose categories are derived from its lines. */
    public Cart(List<CartLine> lines, BigDecimal value, int items, String currency, Instant lastActivity,
            boolean checkoutStarted, Instant abandonedAt, String sessionId) {
        this(lines, value, items, currency, lastActivity, checkoutStarted, abandonedAt, sessionId, categoriesOf(lines));
    }

    /** The categories of {@code lines}, each once, in the order of the lines (unmodifiable). */
    public static List<String> categoriesOf(List<CartLine> lines) {
        // A cart holds a few lines: a scan of the categories kept so far beats hashing them.
        List<String> categories = new ArrayList<>(lines.size());
        for (CartLine line : lines) {
            if (line.category() != null && !categories.contains(line.category())) {
                categories.add(line.category());
            }
        }
        return List.copyOf(categories);
    }
}
