package io.segstream.query;

/** The JSON body of every error answer: what went wrong and, where it helps, what to do. */
public record ApiError(int status, String error, String detail) {}
