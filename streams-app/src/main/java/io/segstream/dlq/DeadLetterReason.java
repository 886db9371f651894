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
    /** The event timestamp is missing, not after 1970, or more than timestamp.max.future ahead of the wall clock. */
    INVALID_TIMESTAMP,
    /** The event is further behind stream time than the grace period. */
    LATE,
    /** A record without a value (a tombstone) on an input topic: there is no event to apply. */
    NULL_VALUE,
    /** Processing the record raised an unexpected exception (a defect, or input no rule foresaw). */
    PROCESSING_ERROR,
    /** An output of the record could not be serialized or was refused by the broker. */
    OUTPUT_ERROR;

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
