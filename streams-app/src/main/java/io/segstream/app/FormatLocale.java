package io.segstream.app;

import java.util.Locale;

/**
 * The JVM's default format locale, set once by a process's entry point. Before each record, a
 * Kafka Streams 4.3 task that reads several partitions formats a readiness message with
 * {@code String.format} for each of them with nothing buffered (SegStream's privacy requests
 * nearly always), whether or not it is logged; with a format locale other than {@code en_US} (a
 * container's {@code LANG=C.UTF-8} gives {@code en}) each {@code %d} builds a new
 * {@code DecimalFormatSymbols}, twice the cost of the message. See the README, "JVM options".
 */
public final class FormatLocale {

    private FormatLocale() {}

    /**
     * Makes {@code en_US} the default format locale, unless the command line chose one with
     * {@code -Duser.language.format} or {@code -Duser.country.format}. Returns whether it did.
     */
    public static boolean useUnitedStatesUnlessChosen() {
        if (System.getProperty("user.language.format") != null || System.getProperty("user.country.format") != null) {
            return false;
        }
        Locale.setDefault(Locale.Category.FORMAT, Locale.US);
        return true;
    }
}
