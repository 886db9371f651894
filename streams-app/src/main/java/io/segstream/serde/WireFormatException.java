package io.segstream.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes are not a readable Confluent-framed Avro payload. The record is bad, not the
 * pipeline: callers route it to the dead-letter topic with {@link #reason()} and carry on.
 */
public abstract sealed class WireFormatException extends SerializationException
        permits UnknownMagicByteException, UnknownSchemaIdException, TruncatedPayloadException,
                CorruptPayloadException, SchemaMismatchException {

    /** Why a payload could not be read; the codes appear in dead-letter headers and metrics. */
    public enum Reason {
        UNKNOWN_MAGIC_BYTE,
        UNKNOWN_SCHEMA_ID,
        TRUNCATED_PAYLOAD,
        CORRUPT_PAYLOAD,
        SCHEMA_MISMATCH
    }

    private final String topic;

    WireFormatException(String topic, String message, Throwable cause) {
        super("Cannot read record from topic \"" + topic + "\": " + message, cause);
        this.topic = topic;
    }

    public abstract Reason reason();

    public String topic() {
        return topic;
    }
}
