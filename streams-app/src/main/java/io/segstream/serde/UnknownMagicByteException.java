package io.segstream.serde;

/** The first byte is not the Confluent wire format's magic byte 0. */
public final class UnknownMagicByteException extends WireFormatException {

    public UnknownMagicByteException(String topic, String message) {
        this(topic, message, null);
    }

    public UnknownMagicByteException(String topic, String message, Throwable cause) {
        super(topic, message, cause);
    }

    @Override
    public Reason reason() {
        return Reason.UNKNOWN_MAGIC_BYTE;
    }
}
