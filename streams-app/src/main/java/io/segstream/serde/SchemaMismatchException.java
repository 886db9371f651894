package io.segstream.serde;

/** The writer schema cannot be read as the type this topic expects (e.g. an Order on the clickstream topic). */
public final class SchemaMismatchException extends WireFormatException {

    public SchemaMismatchException(String topic, String message) {
        this(topic, message, null);
    }

    public SchemaMismatchException(String topic, String message, Throwable cause) {
        super(topic, message, cause);
    }

    @Override
    public Reason reason() {
        return Reason.SCHEMA_MISMATCH;
    }
}
