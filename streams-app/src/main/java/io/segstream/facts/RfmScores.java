package io.segstream.facts;

/** R, F and M scores 1..5 by population quintile; recent purchases score a high R. */
public record RfmScores(int r, int f, int m) {}
