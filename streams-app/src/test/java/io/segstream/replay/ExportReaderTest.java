package io.segstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import io.segstream.facts.Rfm;
import io.segstream.testing.PipelineDriver;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class ExportReaderTest {

    private static List<SpecificRecord> read(ExportReader reader, String resource) throws Exception {
        List<SpecificRecord> records = new ArrayList<>();
        try (InputStream csv = ExportReaderTest.class.getResourceAsStream("/replay/" + resource)) {
            reader.read(csv, records::add);
        }
        return records;
    }

    @Test
    void onlineRetailGroupsLinesByInvoiceNumberEvenWhenInterleavedAndSkipsRowsWithoutCustomer() throws Exception {
        ExportReader reader = new ExportReader(ReplayFormat.ONLINE_RETAIL);

        List<SpecificRecord> records = read(reader, "online-retail-small.csv");

        assertThat(records).extracting(record -> ((Order) record).getOrderId()).containsExactly(
                "536365", "536366", "536367", "536368", "C536379", "C536383", "536384", "536369", "536370");
        Order first = (Order) records.get(0);
        assertThat(first.getUserId()).isEqualTo("17850");
        assertThat(first.getType()).isEqualTo(OrderType.PURCHASE);
        assertThat(first.getLines()).hasSize(2);
        assertThat(first.getTotal()).isEqualByComparingTo("35.64");
        assertThat(first.getEventTimestamp()).isEqualTo(Instant.parse("2010-12-01T08:26:00Z"));
        Order refund = (Order) records.get(4);
        assertThat(refund.getType()).isEqualTo(OrderType.REFUND);
        assertThat(refund.getTotal()).isEqualByComparingTo("-27.50");
        // 536369's two lines have 536370's line between them: still one order, stamped with its latest line.
        Order interleaved = (Order) records.get(7);
        assertThat(interleaved.getLines()).extracting(line -> line.getProductId()).containsExactly("22086", "22087");
        assertThat(interleaved.getTotal()).isEqualByComparingTo("8.85");
        assertThat(interleaved.getEventTimestamp()).isEqualTo(Instant.parse("2010-12-06T10:06:00Z"));
        assertThat(reader.summary().rows()).isEqualTo(14);
        assertThat(reader.summary().orders()).isEqualTo(9);
        // The last row repeats 536365 six days after that invoice was closed.
        assertThat(reader.summary().skipped()).isEqualTo(Map.of("no CustomerID", 2L,
                "line of an invoice closed earlier (more than 1 h of the export after its last line)", 1L));
    }

    @Test
    void replayedThroughThePipelineTheRfmMatchesAHandComputation() throws Exception {
        List<SpecificRecord> records = read(new ExportReader(ReplayFormat.ONLINE_RETAIL), "online-retail-small.csv");
        try (PipelineDriver pipeline = new PipelineDriver()) {
            records.forEach(record -> pipeline.order((Order) record));
            long now = Instant.parse("2010-12-10T00:00:00Z").toEpochMilli();

            // 17850: 536365 (35.64) + 536366 (11.10) + 536384 (38.70) - C536383 (4.65); the line repeating
            // "536365" six days later is skipped.
            Rfm customer = pipeline.rfm("17850").view(now, 365, null);
            assertThat(customer.frequency()).isEqualTo(3);
            assertThat(customer.monetary()).isEqualByComparingTo("80.79");
            assertThat(customer.lastPurchase()).isEqualTo(Instant.parse("2010-12-06T09:53:00Z"));
            // 13047: 32 x 1.69 (the row without CustomerID is skipped) + 3 x 0.001 on 536368 + 2 x 2.95 + 2.95
            // on the interleaved 536369.
            Rfm other = pipeline.rfm("13047").view(now, 365, null);
            assertThat(other.frequency()).isEqualTo(3);
            assertThat(other.monetary()).isEqualByComparingTo("62.933");
            assertThat(other.lastPurchase()).isEqualTo(Instant.parse("2010-12-06T10:06:00Z"));
            assertThat(pipeline.rfm("12583").view(now, 365, null).monetary()).isEqualByComparingTo("39.60");
            // 14527 only has a cancellation.
            assertThat(pipeline.rfm("14527").view(now, 365, null).monetary()).isEqualByComparingTo("-27.50");
            assertThat(pipeline.rfm("14527").view(now, 365, null).frequency()).isZero();
        }
    }

    @Test
    void rees46MapsEventsAndCountsTheTruncatedLastLine() throws Exception {
        ExportReader reader = new ExportReader(ReplayFormat.REES46);

        List<SpecificRecord> records = read(reader, "rees46-small.csv");

        assertThat(records).hasSize(5);
        ClickEvent view = (ClickEvent) records.get(0);
        assertThat(view.getType()).isEqualTo(ClickEventType.PRODUCT_VIEW);
        assertThat(view.getCategory()).isEqualTo("2103807459595387724");
        assertThat(view.getSessionId()).isEqualTo("72d76fde-8bb3-4e00-8c23-a032dfed738c");
        assertThat(((ClickEvent) records.get(1)).getCategory()).isEqualTo("appliances.environment.water_heater");
        assertThat(((ClickEvent) records.get(2)).getType()).isEqualTo(ClickEventType.ADD_TO_CART);
        assertThat(((ClickEvent) records.get(3)).getType()).isEqualTo(ClickEventType.REMOVE_FROM_CART);
        Order purchase = (Order) records.get(4);
        assertThat(purchase.getTotal()).isEqualByComparingTo(new BigDecimal("254.82"));
        assertThat(purchase.getLines()).singleElement().satisfies(line -> assertThat(line.getCategory())
                .isEqualTo("electronics.smartphone"));
        assertThat(reader.summary().skipped()).isEqualTo(Map.of("malformed row: 8 of 9 fields", 1L));
        assertThat(reader.summary().clicks()).isEqualTo(4);
        assertThat(reader.summary().orders()).isEqualTo(1);
    }
}
