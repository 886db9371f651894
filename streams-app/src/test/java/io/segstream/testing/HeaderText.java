package io.segstream.testing;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** A record's headers as text, the way an operator reads a dead letter's. */
public final class HeaderText {

    private HeaderText() {}

    /** Each header's last value, as UTF-8 text. */
    public static Map<String, String> of(Headers headers) {
        Map<String, String> text = new HashMap<>();
        for (Header header : headers) {
            text.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return text;
    }
}
