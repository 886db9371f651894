package io.segstream.topology;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.avro.PrivacyRequest;
import io.segstream.avro.PrivacyRequestType;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.dlq.InvalidRecordException;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * The input topics' contract, short of lateness (which depends on the task's stream time): what a
 * click, order or privacy request must hold to be applied. The validating processor dead-letters records that break
 * it; the timestamp extractor asks it too, so that such a record never moves stream time.
 */
final class InputContract {

    /** Why a record breaks the contract. */
    record Violation(DeadLetterReason reason, String message) {
        InvalidRecordException exception() {
            return new InvalidRecordException(reason, message);
        }
    }

    private final Duration maxFuture;
    private final boolean keysAreUserIds;

    InputContract(Duration maxFuture, boolean keysAreUserIds) {
        this.maxFuture = maxFuture;
        this.keysAreUserIds = keysAreUserIds;
    }

    /**
     * What is wrong with the record {@code key}/{@code value}, or null when nothing is. "Ahead of the
     * wall clock" is measured on this machine's clock, as the broker measures it on its own.
     */
    Violation check(String key, Object value) {
        Violation violation = value instanceof ClickEvent click ? check(click)
                : value instanceof Order order ? check(order)
                : value instanceof PrivacyRequest request ? check(request)
                : value == null ? new Violation(DeadLetterReason.NULL_VALUE,
                        "the record has no value (a tombstone); input topics carry events, which are never deleted by key")
                : new Violation(DeadLetterReason.SCHEMA_MISMATCH, "not a click, an order or a privacy request: "
                        + value.getClass().getName());
        if (violation == null && keysAreUserIds) {
            String userKey = UserKeys.of((SpecificRecord) value);
            if (!userKey.equals(key)) {
                return new Violation(DeadLetterReason.KEY_MISMATCH, "record key '" + key + "' is not the record's user id '"
                        + userKey + "'; key records by user id (anonymous id for anonymous clicks) or set input.repartition=true");
            }
        }
        return violation;
    }

    /**
     * The event time of a click or order, or null for anything else. A privacy request has none: its
     * requestedAt is when the user asked, which may be long ago, and the request must be honoured
     * whenever it arrives, so it is never late and never moves stream time.
     */
    static Instant eventTime(Object value) {
        return value instanceof ClickEvent click ? click.getEventTimestamp()
                : value instanceof Order order ? order.getEventTimestamp()
                : null;
    }

    private Violation check(ClickEvent click) {
        if (blank(click.getEventId())) {
            return new Violation(DeadLetterReason.INVALID_FIELD, "eventId is empty");
        }
        if (blank(UserKeys.of(click))) {
            return new Violation(DeadLetterReason.MISSING_ID, "neither userId nor anonymousId is set");
        }
        if (click.getType() == ClickEventType.UNKNOWN) {
            return new Violation(DeadLetterReason.INVALID_FIELD, "type is UNKNOWN (a symbol this pipeline does not know)");
        }
        if (click.getQuantity() != null && click.getQuantity() < 0) {
            return new Violation(DeadLetterReason.INVALID_AMOUNT, "quantity " + click.getQuantity() + " is negative");
        }
        if (click.getPrice() != null && click.getPrice().signum() < 0) {
            return new Violation(DeadLetterReason.INVALID_AMOUNT, "price " + click.getPrice() + " is negative");
        }
        boolean cartChange = click.getType() == ClickEventType.ADD_TO_CART || click.getType() == ClickEventType.REMOVE_FROM_CART;
        if (cartChange && blank(click.getProductId())) {
            return new Violation(DeadLetterReason.INVALID_FIELD, click.getType() + " without a productId");
        }
        return checkTime(click.getEventTimestamp());
    }

    private Violation check(Order order) {
        if (blank(order.getOrderId())) {
            return new Violation(DeadLetterReason.INVALID_FIELD, "orderId is empty");
        }
        if (blank(order.getUserId())) {
            return new Violation(DeadLetterReason.MISSING_ID, "userId is empty");
        }
        if (order.getType() == OrderType.UNKNOWN) {
            return new Violation(DeadLetterReason.INVALID_FIELD, "type is UNKNOWN (a symbol this pipeline does not know)");
        }
        boolean refund = order.getType() == OrderType.REFUND;
        if (refund ? order.getTotal().signum() > 0 : order.getTotal().signum() < 0) {
            return new Violation(DeadLetterReason.INVALID_AMOUNT, (refund
                    ? "a REFUND's total must be zero or negative, was "
                    : "a PURCHASE's total must not be negative, was ") + order.getTotal());
        }
        for (LineItem line : order.getLines()) {
            if (line.getUnitPrice().signum() < 0) {
                return new Violation(DeadLetterReason.INVALID_AMOUNT,
                        "line " + line.getProductId() + " has negative unit price " + line.getUnitPrice());
            }
            if (!refund && line.getQuantity() < 0) {
                return new Violation(DeadLetterReason.INVALID_AMOUNT,
                        "line " + line.getProductId() + " of a PURCHASE has negative quantity " + line.getQuantity());
            }
        }
        return checkTime(order.getEventTimestamp());
    }

    private Violation check(PrivacyRequest request) {
        if (blank(request.getRequestId())) {
            return new Violation(DeadLetterReason.INVALID_FIELD, "requestId is empty");
        }
        if (blank(request.getUserId())) {
            return new Violation(DeadLetterReason.MISSING_ID, "userId is empty");
        }
        if (request.getType() == PrivacyRequestType.UNKNOWN) {
            return new Violation(DeadLetterReason.INVALID_FIELD, "type is UNKNOWN (a symbol this pipeline does not know)");
        }
        return null;
    }

    private Violation checkTime(Instant eventTimestamp) {
        long at = eventTimestamp.toEpochMilli();
        long now = System.currentTimeMillis();
        if (at <= 0) {
            return new Violation(DeadLetterReason.INVALID_TIMESTAMP, "eventTimestamp " + eventTimestamp + " is not after 1970");
        }
        if (at > now + maxFuture.toMillis()) {
            return new Violation(DeadLetterReason.INVALID_TIMESTAMP, "eventTimestamp " + eventTimestamp + " is more than "
                    + maxFuture + " ahead of the wall clock (" + Instant.ofEpochMilli(now) + "); check the producer's clock");
        }
        return null;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
