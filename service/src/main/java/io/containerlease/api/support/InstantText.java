package io.containerlease.api.support;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes an instant exactly as {@link Instant#toString} does, without its formatter: every log line
 * carries one, and the formatter cost a third of a line's JSON. The date part is kept per day.
 */
public final class InstantText {
    private static final long FIRST_FOUR_DIGIT_YEAR = LocalDate.of(1000, 1, 1).toEpochDay();
    private static final long LAST_FOUR_DIGIT_YEAR = LocalDate.of(9999, 12, 31).toEpochDay();

    private record Day(long epochDay, String text) {}

    private static volatile Day lastDay = new Day(Long.MIN_VALUE, "");

    private InstantText() {}

    public static StringBuilder append(Instant instant, StringBuilder out) {
        long epochDay = Math.floorDiv(instant.getEpochSecond(), 86_400);
        if (epochDay < FIRST_FOUR_DIGIT_YEAR || epochDay > LAST_FOUR_DIGIT_YEAR) {
            return out.append(instant); // signs and wide years: leave them to the JDK
        }
        Day day = lastDay;
        if (day.epochDay() != epochDay) {
            day = new Day(epochDay, LocalDate.ofEpochDay(epochDay) + "T");
            lastDay = day;
        }
        int secondOfDay = (int) Math.floorMod(instant.getEpochSecond(), 86_400);
        out.append(day.text());
        two(out, secondOfDay / 3600).append(':');
        two(out, secondOfDay / 60 % 60).append(':');
        two(out, secondOfDay % 60);
        int nanos = instant.getNano();
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(out, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                digits(out, nanos / 1000, 6);
            } else {
                digits(out, nanos, 9);
            }
        }
        return out.append('Z');
    }

    private static StringBuilder two(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    private static void digits(StringBuilder out, int value, int width) {
        for (int divisor = (int) Math.pow(10, width - 1); divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
    }
}
