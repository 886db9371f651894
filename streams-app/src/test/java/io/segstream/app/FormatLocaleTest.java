package io.segstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The format locale a process's entry point sets; the JVM's default is restored after each test. */
class FormatLocaleTest {

    private Locale format;

    @BeforeEach
    void remember() {
        format = Locale.getDefault(Locale.Category.FORMAT);
        System.clearProperty("user.country.format");
        System.clearProperty("user.language.format");
    }

    @AfterEach
    void restore() {
        Locale.setDefault(Locale.Category.FORMAT, format);
        System.clearProperty("user.country.format");
        System.clearProperty("user.language.format");
    }

    @Test
    void aFormatLocaleNotChosenBecomesEnUs() {
        Locale.setDefault(Locale.Category.FORMAT, Locale.ENGLISH);

        assertThat(FormatLocale.useUnitedStatesUnlessChosen()).isTrue();
        assertThat(Locale.getDefault(Locale.Category.FORMAT)).isEqualTo(Locale.US);
        assertThat(String.format("%d %.1f", 1234, 1.5)).isEqualTo("1234 1.5");
    }

    @Test
    void aFormatLocaleChosenOnTheCommandLineStays() {
        Locale.setDefault(Locale.Category.FORMAT, Locale.GERMANY);
        System.setProperty("user.country.format", "DE");

        assertThat(FormatLocale.useUnitedStatesUnlessChosen()).isFalse();
        assertThat(Locale.getDefault(Locale.Category.FORMAT)).isEqualTo(Locale.GERMANY);
        assertThat(String.format("%.1f", 1.5)).isEqualTo("1,5");
    }
}
