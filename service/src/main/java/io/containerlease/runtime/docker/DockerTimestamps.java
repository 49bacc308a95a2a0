package io.containerlease.runtime.docker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Parses the timestamp Docker puts before each log line ({@code 2026-11-22T14:49:16.123456789Z}).
 * It is read once per line on the log path, where {@link Instant#parse} cost more than the rest of a
 * line's handling; this reads the common UTC form by position and leaves anything else to it.
 */
final class DockerTimestamps {
    /** {@code YYYY-MM-DDTHH:MM:SS} */
    private static final int SECONDS_END = 19;

    private DockerTimestamps() {}

    /** The timestamp in {@code bytes[0, length)}, or null when it is not one. */
    static Instant parse(byte[] bytes, int length) {
        Instant fast = parseUtc(bytes, length);
        if (fast != null) {
            return fast;
        }
        try {
            return Instant.parse(new String(bytes, 0, length, StandardCharsets.US_ASCII));
        } catch (DateTimeParseException notATimestamp) {
            return null;
        }
    }

    private static Instant parseUtc(byte[] b, int length) {
        if (length < SECONDS_END + 1
                || b[length - 1] != 'Z'
                || b[4] != '-'
                || b[7] != '-'
                || b[10] != 'T'
                || b[13] != ':'
                || b[16] != ':') {
            return null;
        }
        int year = digits(b, 0, 4);
        int month = digits(b, 5, 2);
        int day = digits(b, 8, 2);
        int hour = digits(b, 11, 2);
        int minute = digits(b, 14, 2);
        int second = digits(b, 17, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > 31
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return null;
        }
        int nanos = 0;
        int end = length - 1; // before the Z
        if (end > SECONDS_END) {
            int fraction = end - SECONDS_END - 1;
            if (b[SECONDS_END] != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            nanos = digits(b, SECONDS_END + 1, fraction);
            if (nanos < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        long days;
        try {
            days = LocalDate.of(year, month, day).toEpochDay();
        } catch (java.time.DateTimeException invalidDate) {
            return null;
        }
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number in {@code count} bytes from {@code from}, or -1 when one is not a digit. */
    private static int digits(byte[] b, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
