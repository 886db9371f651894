package io.segstream.facts;


/**
 * Everything known about one user at one "now": the read models of the feature stores. Missing
 * stores (a user who never ordered has no rfm entry) are empty read models, never null.
 */
public record UserFeatures(String userId, long now, Rfm rfm, Dwell dwell, Cart cart, Interest interest) {}
