package io.segstream.config;

/** The one place state store names are spelled; the topology and the query API both read these. */
public final class StoreNames {

    /** One record per user: features, timeline, recent event ids and segment membership. */
    public static final String USERS = "users";
    public static final String TIMERS = "timers";
    public static final String ORDER_IDS = "order-ids";
    /** Privacy request ids handled, by requestedAt, so a re-sent request is handled once. */
    public static final String PRIVACY_REQUEST_IDS = "privacy-request-ids";
    public static final String RFM_SKETCHES = "rfm-sketches";
    public static final String MEMBERSHIP = "membership";
    public static final String DEFINITIONS = "definitions";
    /** Global: the published models, by name (topic segstream.models). */
    public static final String MODELS = "models";

    /** Every store of the application: the tasks' and the global ones. */
    public static final java.util.List<String> ALL =
            java.util.List.of(USERS, TIMERS, ORDER_IDS, PRIVACY_REQUEST_IDS, RFM_SKETCHES, DEFINITIONS, MODELS);

    private StoreNames() {}
}
