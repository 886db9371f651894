package io.segstream.dlq;

import io.segstream.serde.WireFormatException;

/** Why a record went to the dead-letter topic; the code appears in its headers and in metrics. */
public enum DeadLetterReason {
    UNKNOWN_MAGIC_BYTE,
    UNKNOWN_SCHEMA_ID,
    TRUNCATED_PAYLOAD,
    CORRUPT_PAYLOAD,
    SCHEMA_MISMATCH,
    /** The payload decoded but Kafka Streams could not deserialize it for another reason. */
    UNREADABLE,
    /** Neither a user id nor an anonymous id. */
    MISSING_ID,
    /** A record key that is not the record's user id while input.repartition is off. */
    KEY_MISMATCH,
    /** A negative quantity or price, or an amount that does not add up. */
    INVALID_AMOUNT,
    /** A mandatory field is missing or has the UNKNOWN enum symbol. */
    INVALID_FIELD,
    /** The event timestamp is missing, not positive, or too far in the future. */
    INVALID_TIMESTAMP,
    /** The event is further behind stream time than the grace period. */
    LATE;

    /** The dead-letter reason of a payload the serde could not read. */
    public static DeadLetterReason of(WireFormatException exception) {
        return switch (exception.reason()) {
            case UNKNOWN_MAGIC_BYTE -> UNKNOWN_MAGIC_BYTE;
            case UNKNOWN_SCHEMA_ID -> UNKNOWN_SCHEMA_ID;
            case TRUNCATED_PAYLOAD -> TRUNCATED_PAYLOAD;
            case CORRUPT_PAYLOAD -> CORRUPT_PAYLOAD;
            case SCHEMA_MISMATCH -> SCHEMA_MISMATCH;
        };
    }
}
