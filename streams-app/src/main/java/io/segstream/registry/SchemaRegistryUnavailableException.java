package io.segstream.registry;

/**
 * The registry could not be reached or kept failing after every retry. Unlike a bad record this is
 * an infrastructure fault: the records involved are fine and must not be dead-lettered.
 */
public final class SchemaRegistryUnavailableException extends SchemaRegistryException {

    public SchemaRegistryUnavailableException(String message, int status, Throwable cause) {
        super(message, status, -1, cause);
    }
}
