package io.containerlease.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The activity log says durations as a person would: minutes and hours, not a count of seconds. */
class ActivityWordsTest {
    @Test
    void durationsAreSaidInTheirLargestNaturalUnits() {
        assertThat(LeaseRoutes.inWords(Duration.ofSeconds(45))).isEqualTo("45 s");
        assertThat(LeaseRoutes.inWords(Duration.ofSeconds(90))).isEqualTo("1 min 30 s");
        assertThat(LeaseRoutes.inWords(Duration.ofMinutes(10))).isEqualTo("10 min");
        assertThat(LeaseRoutes.inWords(Duration.ofSeconds(601))).isEqualTo("10 min");
        assertThat(LeaseRoutes.inWords(Duration.ofMinutes(60))).isEqualTo("1 h");
        assertThat(LeaseRoutes.inWords(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
        assertThat(LeaseRoutes.inWords(Duration.ofHours(47))).isEqualTo("47 h");
        assertThat(LeaseRoutes.inWords(Duration.ofDays(3))).isEqualTo("3 d");
    }
}
