package io.segstream.registry;

/** The registry rejected a schema because it breaks the subject's compatibility level (HTTP 409). */
public final class IncompatibleSchemaException extends SchemaRegistryException {

    public IncompatibleSchemaException(String message, int errorCode) {
        super(message, 409, errorCode);
    }
}
