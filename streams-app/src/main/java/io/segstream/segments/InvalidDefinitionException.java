package io.segstream.segments;

/** A segment definition that cannot be used, with what is wrong in words an author can act on. */
public final class InvalidDefinitionException extends RuntimeException {

    public InvalidDefinitionException(String message) {
        super(message);
    }
}
