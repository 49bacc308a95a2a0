package io.containerlease.cli.client;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Times and sizes as a person reads them in a terminal: the local clock time ({@code 14:05:09} today,
 * {@code Dec 3 14:05} another day) and how long ago ({@code 2m ago}); never the API's ISO form,
 * which {@code -o json} keeps for scripts. A value that is not a time is shown as it came.
 */
final class HumanForm {
    private static final DateTimeFormatter TODAY = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter OTHER_DAY = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ENGLISH);

    private final Instant now;
    private final ZoneId zone;

    HumanForm(Instant now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** As the machine sees it now, in its time zone. */
    static HumanForm here() {
        return new HumanForm(Instant.now(), ZoneId.systemDefault());
    }

    /** {@code 14:05:09} when {@code iso} is today here, else {@code Dec 3 14:05}. */
    String local(String iso) {
        return parse(iso)
                .map(at -> {
                    ZonedDateTime local = at.atZone(zone);
                    boolean today = local.toLocalDate().equals(LocalDate.ofInstant(now, zone));
                    return (today ? TODAY : OTHER_DAY).format(local);
                })
                .orElse(iso);
    }

    /** {@code just now}, {@code 40s ago}, {@code 2m ago}, {@code 3h ago}, {@code 5d ago}; {@code in 4m} ahead. */
    String ago(String iso) {
        return parse(iso)
                .map(at -> {
                    long seconds = Duration.between(at, now).toSeconds();
                    if (Math.abs(seconds) < 5) {
                        return "just now";
                    }
                    String amount = rough(Math.abs(seconds));
                    return seconds > 0 ? amount + " ago" : "in " + amount;
                })
                .orElse(iso);
    }

    /** The largest whole unit: {@code 40s}, {@code 2m}, {@code 3h}, {@code 5d}. */
    static String rough(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3_600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86_400) {
            return seconds / 3_600 + "h";
        }
        return seconds / 86_400 + "d";
    }

    /** {@code 512 B}, {@code 3.4 KiB}, {@code 12.0 MiB}: sizes in the units the rest of the client uses. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static java.util.Optional<Instant> parse(String iso) {
        try {
            return java.util.Optional.of(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }
}
