package io.segstream.facts;

/**
 * What the customer-lifetime model predicts for a customer: the probability they are still active,
 * their expected purchases in the next 90 days and their expected spend in the next 365 days (in the
 * shop's currency). A value is null when it cannot be predicted, and {@code absentReason} says why.
 */
public record Lifetime(Double pAlive, Double expectedPurchases90d, Double expectedValue365d, String absentReason) {

    /** No prediction at all, because of {@code reason}. */
    public static Lifetime absent(String reason) {
        return new Lifetime(null, null, null, reason);
    }
}
