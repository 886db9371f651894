package io.segstream.features;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DayCountsTest {

    private final DayCounts days = new DayCounts();

    @Test
    void countsAddUpPerDayKeptInDayOrderWhateverOrderTheyCome() {
        days.add(20, 1);
        days.add(22, 1);
        days.add(20, 2);
        days.add(18, 1);
        days.add(21, 4);
        days.add(25, 1);
        days.add(19, 1);

        assertThat(days).hasToString("{18=1, 19=1, 20=3, 21=4, 22=1, 25=1}");
        assertThat(days.size()).isEqualTo(6);
        assertThat(days.day(2)).isEqualTo(20);
        assertThat(days.count(2)).isEqualTo(3);
        assertThat(days.sum(19, 22)).isEqualTo(9);
        assertThat(days.sum(23, 24)).isZero();
    }

    @Test
    void daysBeforeTheFirstKeptAreDroppedAndSaidSo() {
        days.add(10, 1);
        days.add(11, 2);
        days.add(13, 3);

        assertThat(days.dropBefore(10)).isFalse();
        assertThat(days.dropBefore(12)).isTrue();
        assertThat(days).hasToString("{13=3}");
        assertThat(days.dropBefore(14)).isTrue();
        assertThat(days.size()).isZero();
        assertThat(days.dropBefore(20)).isFalse();
        days.add(30, 1);
        assertThat(days).hasToString("{30=1}");
    }

    @Test
    void aCopyGoesOnByItselfAndEqualsWhatHoldsTheSameDays() {
        days.add(5, 1);
        days.add(6, 1);
        DayCounts copy = days.copy();
        copy.add(6, 1);
        copy.add(7, 1);

        assertThat(days).hasToString("{5=1, 6=1}");
        assertThat(copy).hasToString("{5=1, 6=2, 7=1}");
        assertThat(copy).isNotEqualTo(days);
        days.add(6, 1);
        days.add(7, 1);
        assertThat(copy).isEqualTo(days).hasSameHashCodeAs(days);
        assertThat(new DayCounts().copy()).isEqualTo(new DayCounts());
    }
}
