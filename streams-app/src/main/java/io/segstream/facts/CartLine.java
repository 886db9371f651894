package io.segstream.facts;

import java.math.BigDecimal;

/** One product in a cart: how many, at what unit price. */
public record CartLine(String productId, String category, int quantity, BigDecimal unitPrice) {}
