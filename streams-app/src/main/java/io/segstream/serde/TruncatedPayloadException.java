package io.segstream.serde;

/** The payload ends before the header or the Avro record is complete. */
public final class TruncatedPayloadException extends WireFormatException {

    public TruncatedPayloadException(String topic, String message) {
        this(topic, message, null);
    }

    public TruncatedPayloadException(String topic, String message, Throwable cause) {
        super(topic, message, cause);
    }

    @Override
    public Reason reason() {
        return Reason.TRUNCATED_PAYLOAD;
    }
}
