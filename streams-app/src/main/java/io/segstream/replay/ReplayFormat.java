package io.segstream.replay;

import java.util.Locale;

/** The export formats {@code segstream replay} reads. */
public enum ReplayFormat {
    /** An online retailer's invoice lines: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country. */
    ONLINE_RETAIL(8),
    /** A multi-category store's events: event_time, event_type, product_id, category_id, category_code, brand, price, user_id, user_session. */
    REES46(9);

    private final int columns;

    ReplayFormat(int columns) {
        this.columns = columns;
    }

    /** Fields of a complete row; a row with fewer (e.g. a truncated last line) is malformed. */
    public int columns() {
        return columns;
    }

    public static ReplayFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + value + "'; use online-retail or rees46");
        }
    }
}
