package io.segstream.topology;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.dlq.DeadLetterReason;
import io.segstream.dlq.InvalidRecordException;
import io.segstream.features.FeatureSettings;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Checks each input record against the contract and forwards the good ones; a bad one raises
 * {@link InvalidRecordException}, which the processing handler dead-letters with its original bytes.
 */
final class InputValidator implements FixedKeyProcessor<String, SpecificRecord, SpecificRecord> {

    private final FeatureSettings settings;
    private final boolean keysAreUserIds;
    private FixedKeyProcessorContext<String, SpecificRecord> context;

    InputValidator(FeatureSettings settings, boolean keysAreUserIds) {
        this.settings = settings;
        this.keysAreUserIds = keysAreUserIds;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, SpecificRecord> record) {
        String userKey = record.value() instanceof ClickEvent click ? validate(click) : validate((Order) record.value());
        if (keysAreUserIds && !userKey.equals(record.key())) {
            throw new InvalidRecordException(DeadLetterReason.KEY_MISMATCH, "record key '" + record.key()
                    + "' is not the record's user id '" + userKey + "'; key records by user id (anonymous id for "
                    + "anonymous clicks) or set input.repartition=true");
        }
        context.forward(record);
    }

    private String validate(ClickEvent click) {
        require(!blank(click.getEventId()), DeadLetterReason.INVALID_FIELD, "eventId is empty");
        String userKey = UserKeys.of(click);
        require(!blank(userKey), DeadLetterReason.MISSING_ID, "neither userId nor anonymousId is set");
        require(click.getType() != ClickEventType.UNKNOWN, DeadLetterReason.INVALID_FIELD,
                "type is UNKNOWN (a symbol this pipeline does not know)");
        require(click.getQuantity() == null || click.getQuantity() >= 0, DeadLetterReason.INVALID_AMOUNT,
                "quantity " + click.getQuantity() + " is negative");
        require(click.getPrice() == null || click.getPrice().signum() >= 0, DeadLetterReason.INVALID_AMOUNT,
                "price " + click.getPrice() + " is negative");
        boolean cartChange = click.getType() == ClickEventType.ADD_TO_CART || click.getType() == ClickEventType.REMOVE_FROM_CART;
        require(!cartChange || !blank(click.getProductId()), DeadLetterReason.INVALID_FIELD,
                click.getType() + " without a productId");
        checkTime(click.getEventTimestamp());
        return userKey;
    }

    private String validate(Order order) {
        require(!blank(order.getOrderId()), DeadLetterReason.INVALID_FIELD, "orderId is empty");
        require(!blank(order.getUserId()), DeadLetterReason.MISSING_ID, "userId is empty");
        require(order.getType() != OrderType.UNKNOWN, DeadLetterReason.INVALID_FIELD,
                "type is UNKNOWN (a symbol this pipeline does not know)");
        boolean refund = order.getType() == OrderType.REFUND;
        require(refund ? order.getTotal().signum() <= 0 : order.getTotal().signum() >= 0, DeadLetterReason.INVALID_AMOUNT,
                (refund ? "a REFUND's total must be zero or negative, was " : "a PURCHASE's total must not be negative, was ")
                        + order.getTotal());
        for (LineItem line : order.getLines()) {
            require(line.getUnitPrice().signum() >= 0, DeadLetterReason.INVALID_AMOUNT,
                    "line " + line.getProductId() + " has negative unit price " + line.getUnitPrice());
            require(refund || line.getQuantity() >= 0, DeadLetterReason.INVALID_AMOUNT,
                    "line " + line.getProductId() + " of a PURCHASE has negative quantity " + line.getQuantity());
        }
        checkTime(order.getEventTimestamp());
        return order.getUserId();
    }

    private void checkTime(Instant eventTimestamp) {
        long at = eventTimestamp.toEpochMilli();
        require(at > 0, DeadLetterReason.INVALID_TIMESTAMP, "eventTimestamp " + eventTimestamp + " is not after 1970");
        long latestAllowed = context.currentSystemTimeMs() + settings.timestampMaxFuture().toMillis();
        require(at <= latestAllowed, DeadLetterReason.INVALID_TIMESTAMP, "eventTimestamp " + eventTimestamp
                + " is more than " + settings.timestampMaxFuture() + " ahead of the wall clock");
        long horizon = context.currentStreamTimeMs() - settings.grace().toMillis();
        require(at >= horizon, DeadLetterReason.LATE, "eventTimestamp " + eventTimestamp + " is more than "
                + settings.grace() + " behind stream time " + Instant.ofEpochMilli(context.currentStreamTimeMs()));
    }

    private static void require(boolean condition, DeadLetterReason reason, String message) {
        if (!condition) {
            throw new InvalidRecordException(reason, message);
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
