package io.segstream.registry;

/**
 * The registry refused a request, or could not be reached. Carries the HTTP status and the
 * registry's own error code (Confluent API {@code error_code}), or -1 where there is none.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode) {
        this(message, status, errorCode, null);
    }

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** HTTP status of the registry's answer, or -1 when none arrived. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code}, or -1. */
    public int errorCode() {
        return errorCode;
    }
}
