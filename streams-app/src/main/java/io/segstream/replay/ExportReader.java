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
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
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

    /** {@code raw}, the bytes of an export named {@code file}, decompressed when the name ends in .gz. */
    public static InputStream decompressed(Path file, InputStream raw) throws IOException {
        return file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    }

    /** Reads the export {@code file} (.csv or .csv.gz) and hands every record to {@code emit}. */
    public void read(Path file, Consumer<SpecificRecord> emit) throws IOException {
        try (InputStream csv = decompressed(file, new BufferedInputStream(Files.newInputStream(file)))) {
            read(csv, emit);
        }
    }

    /** Reads {@code csv} and hands every record to {@code emit}. */
    public void read(InputStream csv, Consumer<SpecificRecord> emit) throws IOException {
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.TRIM_SPACES);
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        OnlineRetailInvoices invoices = new OnlineRetailInvoices();
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
                        invoices.add(row, emit);
                    } else {
                        rees46(row, line, emit);
                    }
                } catch (SkippedRow skipped) {
                    summary.skip(skipped.getMessage());
                }
            }
        }
        invoices.flush(emit);
    }

    private static final class SkippedRow extends RuntimeException {
        SkippedRow(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Lines grouped into orders by InvoiceNo, with bounded memory. The export is in time order but
     * an invoice's lines may be interleaved with another's (the real export has such invoices, a few
     * rows apart): an invoice stays open until the export has moved {@link #CLOSE_AFTER} past its
     * latest line, and at most {@link #MAX_OPEN} are open at once. A line of an invoice closed
     * earlier is skipped with a reason, never folded into a second order of the same number.
     */
    private final class OnlineRetailInvoices {
        static final Duration CLOSE_AFTER = Duration.ofHours(1);
        static final int MAX_OPEN = 10_000;
        static final int CLOSED_REMEMBERED = 100_000;

        private final LinkedHashMap<String, Invoice> open = new LinkedHashMap<>();
        private final Set<String> closed = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > CLOSED_REMEMBERED;
            }
        });
        private Instant latest = Instant.MIN;

        void add(Map<String, String> row, Consumer<SpecificRecord> emit) {
            String number = required(row, "InvoiceNo");
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
            String customer = customerId.endsWith(".0") ? customerId.substring(0, customerId.length() - 2) : customerId;
            Instant at = time(required(row, "InvoiceDate"));
            if (at.isAfter(latest)) {
                latest = at;
                closeBefore(latest.minus(CLOSE_AFTER), emit);
            }
            if (closed.contains(number)) {
                throw new SkippedRow("line of an invoice closed earlier (more than " + CLOSE_AFTER.toHours()
                        + " h of the export after its last line)");
            }
            Invoice invoice = open.computeIfAbsent(number, ignored -> new Invoice(customer));
            if (!invoice.customer.equals(customer)) {
                throw new SkippedRow("invoice line of another CustomerID than the invoice's");
            }
            invoice.add(LineItem.newBuilder().setProductId(required(row, "StockCode")).setQuantity(quantity)
                    .setUnitPrice(unitPrice).build(), unitPrice.multiply(BigDecimal.valueOf(quantity)), at);
            if (open.size() > MAX_OPEN) {
                close(open.entrySet().iterator().next().getKey(), emit);
            }
        }

        /** Emits every invoice whose latest line is before {@code horizon}, in the order they were opened. */
        private void closeBefore(Instant horizon, Consumer<SpecificRecord> emit) {
            List<String> due = new ArrayList<>();
            open.forEach((number, invoice) -> {
                if (invoice.at.isBefore(horizon)) {
                    due.add(number);
                }
            });
            due.forEach(number -> close(number, emit));
        }

        private void close(String number, Consumer<SpecificRecord> emit) {
            Invoice invoice = open.remove(number);
            closed.add(number);
            emit.accept(Order.newBuilder().setOrderId(number).setUserId(invoice.customer)
                    .setType(number.startsWith("C") ? OrderType.REFUND : OrderType.PURCHASE)
                    .setLines(invoice.lines).setTotal(invoice.total).setCurrency("GBP").setEventTimestamp(invoice.at).build());
            summary.order();
        }

        void flush(Consumer<SpecificRecord> emit) {
            new ArrayList<>(open.keySet()).forEach(number -> close(number, emit));
        }
    }

    /** One open invoice: its lines, their total, and its latest line's time (the order's event time). */
    private static final class Invoice {
        final String customer;
        final List<LineItem> lines = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        Instant at = Instant.MIN;

        Invoice(String customer) {
            this.customer = customer;
        }

        void add(LineItem line, BigDecimal amount, Instant lineAt) {
            lines.add(line);
            total = total.add(amount);
            at = lineAt.isAfter(at) ? lineAt : at;
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
