package io.segstream.dlq;

/**
 * A record that deserialized but breaks the contract. Thrown by validating processors and turned
 * into a dead letter (with the original bytes) by {@link DeadLetterProcessingHandler}.
 */
public final class InvalidRecordException extends RuntimeException {

    private final DeadLetterReason reason;

    public InvalidRecordException(DeadLetterReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
