package io.containerlease.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InstantTextTest {

    private static String text(Instant instant) {
        return InstantText.append(instant, new StringBuilder()).toString();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-22T14:49:16Z",
                "2026-11-22T14:49:16.100Z",
                "2026-11-22T14:49:16.123456Z",
                "2026-11-22T14:49:16.000000001Z",
                "2026-11-22T23:59:59.999999999Z",
                "1970-01-01T00:00:00Z",
                "1000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.5Z",
                "0999-12-31T23:59:59Z",
                "+10000-01-01T00:00:00Z",
                "-0001-06-01T12:00:00.000010Z",
                "2024-02-29T00:00:00.010Z"
            })
    void writesWhatInstantToStringWrites(String instant) {
        Instant parsed = Instant.parse(instant);
        assertThat(text(parsed)).isEqualTo(parsed.toString());
    }

    @Test
    void agreesWithInstantToStringOnManyInstantsAcrossDays() {
        Random random = new Random(11);
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 20_000; i++) {
            long nanos = switch (i % 3) {
                case 0 -> random.nextInt(1000) * 1_000_000L;
                case 1 -> random.nextInt(1_000_000) * 1000L;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = start.plusSeconds(random.nextInt(400 * 86_400)).plusNanos(nanos);
            assertThat(text(instant)).isEqualTo(instant.toString());
        }
    }
}
