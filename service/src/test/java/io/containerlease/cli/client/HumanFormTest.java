package io.containerlease.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The client's tables speak in local clock times, rough ages and binary units. */
class HumanFormTest {
    private static final Instant NOW = Instant.parse("2026-12-03T22:40:00Z");
    private final HumanForm berlin = new HumanForm(NOW, ZoneId.of("Europe/Berlin"));

    @Test
    void aTimeTodayIsItsLocalClockTimeAndAnotherDaysHasItsDate() {
        assertThat(berlin.local("2026-12-03T21:05:09.123456789Z")).isEqualTo("22:05:09");
        // 23:30 UTC is already tomorrow in Berlin
        assertThat(berlin.local("2026-12-03T23:30:00Z")).isEqualTo("Dec 4 00:30");
        assertThat(berlin.local("2026-11-30T08:00:00Z")).isEqualTo("Nov 30 09:00");
    }

    @Test
    void agesAreRoundedDownToTheirLargestUnitAndTheFutureIsSaidAsSuch() {
        assertThat(berlin.ago("2026-12-03T22:39:57Z")).isEqualTo("just now");
        assertThat(berlin.ago("2026-12-03T22:39:20Z")).isEqualTo("40s ago");
        assertThat(berlin.ago("2026-12-03T22:37:01Z")).isEqualTo("2m ago");
        assertThat(berlin.ago("2026-12-03T19:00:00Z")).isEqualTo("3h ago");
        assertThat(berlin.ago("2026-11-28T22:40:00Z")).isEqualTo("5d ago");
        assertThat(berlin.ago("2026-12-03T22:44:30Z")).isEqualTo("in 4m");
    }

    @Test
    void whatIsNotATimeIsShownAsItCame() {
        assertThat(berlin.local("-")).isEqualTo("-");
        assertThat(berlin.ago("")).isEmpty();
    }

    @Test
    void sizesUseBinaryUnits() {
        assertThat(HumanForm.size(512)).isEqualTo("512 B");
        assertThat(HumanForm.size(1024)).isEqualTo("1.0 KiB");
        assertThat(HumanForm.size(3_500)).isEqualTo("3.4 KiB");
        assertThat(HumanForm.size(12L << 20)).isEqualTo("12.0 MiB");
    }
}
