package io.segstream.serde;

/** The schema id in the header is not known to the registry. */
public final class UnknownSchemaIdException extends WireFormatException {

    public UnknownSchemaIdException(String topic, String message) {
        this(topic, message, null);
    }

    public UnknownSchemaIdException(String topic, String message, Throwable cause) {
        super(topic, message, cause);
    }

    @Override
    public Reason reason() {
        return Reason.UNKNOWN_SCHEMA_ID;
    }
}
