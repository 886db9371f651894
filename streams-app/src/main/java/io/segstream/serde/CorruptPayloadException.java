package io.segstream.serde;

/** The Avro body cannot be decoded with its writer schema, or has bytes left over. */
public final class CorruptPayloadException extends WireFormatException {

    public CorruptPayloadException(String topic, String message) {
        this(topic, message, null);
    }

    public CorruptPayloadException(String topic, String message, Throwable cause) {
        super(topic, message, cause);
    }

    @Override
    public Reason reason() {
        return Reason.CORRUPT_PAYLOAD;
    }
}
