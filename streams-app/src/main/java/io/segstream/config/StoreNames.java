package io.segstream.config;

/** The one place state store names are spelled; the topology and the query API both read these. */
public final class StoreNames {

    public static final String RFM = "rfm";
    public static final String DWELL = "dwell";
    public static final String CART = "cart";
    public static final String INTEREST = "interest";
    public static final String TIMELINE = "timeline";
    public static final String TIMERS = "timers";
    public static final String DEDUP = "dedup";
    public static final String RFM_SKETCHES = "rfm-sketches";
    public static final String MEMBERSHIP = "membership";
    public static final String DEFINITIONS = "definitions";

    private StoreNames() {}
}
