package io.segstream.registry;

/** The registry has no such schema id, subject or version (HTTP 404). */
public final class SchemaNotFoundException extends SchemaRegistryException {

    public SchemaNotFoundException(String message, int errorCode) {
        super(message, 404, errorCode);
    }
}
