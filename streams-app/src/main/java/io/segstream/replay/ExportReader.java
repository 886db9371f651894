package io.segstream.replay;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.segstream.avro.ClickEvent;
import io.segstream.avro.ClickEventType;
import io.segstream.avro.GeneratedClasses;
import io.segstream.avro.LineItem;
import io.segstream.avro.Order;
import io.segstream.avro.OrderType;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns a CSV export into SegStream records, in file order. Quoted fields with commas are parsed
 * by a real CSV parser; a malformed row (e.g. a truncated last line) is counted and skipped.
 */
public final class ExportReader {

    static {
        GeneratedClasses.trust();
    }

    private static final DateTimeFormatter ISO_SPACE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter US_SHORT = DateTimeFormatter.ofPattern("M/d/yyyy H:mm");

    private final ReplayFormat format;
    private final ReplaySummary summary = new ReplaySummary();

    public ExportReader(ReplayFormat format) {
        this.format = format;
    }

    public ReplaySummary summary() {
        return summary;
    }

    /** Reads {@code csv} and hands every record to {@code emit}. */
    public void read(InputStream csv, Consumer<SpecificRecord> emit) throws IOException {
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.TRIM_SPACES);
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        OnlineRetailInvoice invoice = new OnlineRetailInvoice();
        long line = 1;
        try (MappingIterator<Map<String, String>> rows = mapper.readerFor(Map.class).with(schema).readValues(csv)) {
            while (true) {
                Map<String, String> row;
                try {
                    if (!rows.hasNextValue()) {
                        break;
                    }
                    row = rows.nextValue();
                } catch (IOException | RuntimeJsonMappingException e) {
                    summary.row();
                    summary.skip("malformed CSV row");
                    break;
                }
                line++;
                summary.row();
                try {
                    if (row.size() < format.columns()) {
                        throw new SkippedRow("malformed row: " + row.size() + " of " + format.columns() + " fields");
                    }
                    if (format == ReplayFormat.ONLINE_RETAIL) {
                        invoice.add(row, emit);
                    } else {
                        rees46(row, line, emit);
                    }
                } catch (SkippedRow skipped) {
                    summary.skip(skipped.getMessage());
                }
            }
        }
        invoice.flush(emit);
    }

    private static final class SkippedRow extends RuntimeException {
        SkippedRow(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Consecutive lines of one InvoiceNo become one order. */
    private final class OnlineRetailInvoice {
        private String invoiceNo;
        private String customer;
        private Instant at;
        private final List<LineItem> lines = new ArrayList<>();
        private BigDecimal total = BigDecimal.ZERO;

        void add(Map<String, String> row, Consumer<SpecificRecord> emit) {
            String number = required(row, "InvoiceNo");
            if (!number.equals(invoiceNo)) {
                flush(emit);
                invoiceNo = number;
            }
            String customerId = row.getOrDefault("CustomerID", "");
            if (customerId.isBlank()) {
                throw new SkippedRow("no CustomerID");
            }
            boolean refund = number.startsWith("C");
            int quantity = integer(required(row, "Quantity"));
            BigDecimal unitPrice = decimal(required(row, "UnitPrice"));
            if (unitPrice.signum() < 0) {
                throw new SkippedRow("negative UnitPrice");
            }
            if (refund ? quantity >= 0 : quantity <= 0) {
                throw new SkippedRow(refund ? "cancellation line with a non-negative Quantity"
                        : "invoice line with a non-positive Quantity");
            }
            customer = customerId.endsWith(".0") ? customerId.substring(0, customerId.length() - 2) : customerId;
            at = time(required(row, "InvoiceDate"));
            lines.add(LineItem.newBuilder().setProductId(required(row, "StockCode")).setQuantity(quantity)
                    .setUnitPrice(unitPrice).build());
            total = total.add(unitPrice.multiply(BigDecimal.valueOf(quantity)));
        }

        void flush(Consumer<SpecificRecord> emit) {
            if (!lines.isEmpty()) {
                emit.accept(Order.newBuilder().setOrderId(invoiceNo).setUserId(customer)
                        .setType(invoiceNo.startsWith("C") ? OrderType.REFUND : OrderType.PURCHASE)
                        .setLines(List.copyOf(lines)).setTotal(total).setCurrency("GBP").setEventTimestamp(at).build());
                summary.order();
            }
            lines.clear();
            total = BigDecimal.ZERO;
        }
    }

    private void rees46(Map<String, String> row, long line, Consumer<SpecificRecord> emit) {
        String user = required(row, "user_id");
        Instant at = time(required(row, "event_time"));
        String product = required(row, "product_id");
        String categoryCode = row.getOrDefault("category_code", "");
        String category = categoryCode.isBlank() ? row.get("category_id") : categoryCode;
        BigDecimal price = decimal(required(row, "price"));
        String id = "rees46-" + line;
        String type = required(row, "event_type");
        if (type.equals("purchase")) {
            emit.accept(Order.newBuilder().setOrderId(id).setUserId(user).setType(OrderType.PURCHASE)
                    .setLines(List.of(LineItem.newBuilder().setProductId(product).setCategory(category).setQuantity(1)
                            .setUnitPrice(price).build()))
                    .setTotal(price).setCurrency("USD").setEventTimestamp(at).build());
            summary.order();
            return;
        }
        ClickEventType clickType = switch (type) {
            case "view" -> ClickEventType.PRODUCT_VIEW;
            case "cart" -> ClickEventType.ADD_TO_CART;
            case "remove_from_cart" -> ClickEventType.REMOVE_FROM_CART;
            default -> throw new SkippedRow("unknown event_type '" + type + "'");
        };
        String session = row.getOrDefault("user_session", "");
        emit.accept(ClickEvent.newBuilder().setEventId(id).setUserId(user).setSessionId(session.isBlank() ? null : session)
                .setType(clickType).setPageType("product").setProductId(product).setCategory(category).setPrice(price)
                .setCurrency("USD").setQuantity(1).setEventTimestamp(at).build());
        summary.click();
    }

    private static String required(Map<String, String> row, String column) {
        String value = row.get(column);
        if (value == null || value.isBlank()) {
            throw new SkippedRow("malformed row: no " + column);
        }
        return value;
    }

    private static int integer(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SkippedRow("malformed row: not a number");
        }
    }

    private static BigDecimal decimal(String value) {
        try {
            return new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw new SkippedRow("malformed row: not a number");
        }
    }

    /** UTC times: "2010-12-01 08:26:00", "2019-10-01 00:00:00 UTC" or "12/1/2010 8:26". */
    static Instant time(String value) {
        String text = value.endsWith(" UTC") ? value.substring(0, value.length() - 4) : value;
        try {
            return LocalDateTime.parse(text, text.contains("/") ? US_SHORT : ISO_SPACE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new SkippedRow("malformed row: bad time");
        }
    }
}
