package io.segstream.topology;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import io.segstream.avro.PrivacyRequest;
import org.apache.avro.specific.SpecificRecord;

/** The user a record belongs to: its user id, else (clicks) its anonymous id. Anonymous profiles stay separate. */
final class UserKeys {

    private UserKeys() {}

    static String of(SpecificRecord record) {
        if (record instanceof ClickEvent click) {
            return click.getUserId() != null && !click.getUserId().isBlank() ? click.getUserId() : click.getAnonymousId();
        }
        if (record instanceof PrivacyRequest request) {
            return request.getUserId();
        }
        return ((Order) record).getUserId();
    }
}
