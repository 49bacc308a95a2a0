package io.containerlease.cli.client;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as people type them: {@code 30s}, {@code 15m}, {@code 2h}, {@code 1h30m}, {@code 1d}. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern WHOLE = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        Matcher m = WHOLE.matcher(value.trim().toLowerCase(java.util.Locale.ROOT));
        if (value.isBlank() || !m.matches() || m.group(0).isEmpty()) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration (like 30s, 15m, 2h or 1h30m)");
        }
        long seconds = 0;
        long[] unit = {86_400, 3_600, 60, 1};
        for (int i = 0; i < 4; i++) {
            if (m.group(i + 1) != null) {
                seconds = Math.addExact(seconds, Math.multiplyExact(Long.parseLong(m.group(i + 1)), unit[i]));
            }
        }
        return Duration.ofSeconds(seconds);
    }

    /** {@code 1h 5m}, {@code 4m 10s}, {@code 30s}: for remaining times in a table. */
    public static String human(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3_600) {
            return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + "s");
        }
        return seconds / 3_600 + "h" + (seconds % 3_600 / 60 == 0 ? "" : " " + seconds % 3_600 / 60 + "m");
    }
}
