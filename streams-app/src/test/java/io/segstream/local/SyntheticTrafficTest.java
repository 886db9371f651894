package io.segstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.Order;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticTrafficTest {

    @Test
    void userIdsAreTheUsersNumberInFiveDigits() {
        SyntheticTraffic traffic = new SyntheticTraffic(7, 20_000);
        List<String> ids = new ArrayList<>();
        Instant at = Instant.parse("2026-12-04T10:00:00Z");
        for (int i = 0; i < 5_000; i++) {
            traffic.next(at.plusSeconds(i), record -> {
                String id = record instanceof ClickEvent click ? click.getUserId() : ((Order) record).getUserId();
                if (id != null) {
                    ids.add(id);
                }
            });
        }

        assertThat(ids).isNotEmpty().allMatch(id -> id.matches("u\\d{5}"));
        assertThat(ids).anyMatch(id -> id.startsWith("u0"));
    }
}
