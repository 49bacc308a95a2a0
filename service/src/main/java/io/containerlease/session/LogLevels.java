package io.containerlease.session;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The level a line of output states about itself, when it states one: a JSON object's
 * {@code "level"} (or {@code "severity"}), a logfmt {@code level=…}, or a level word among the first
 * words ({@code ERROR …}, {@code [WARN] …}, {@code warning: …}, {@code 2026-12-03 10:00:01 INFO …}).
 * Named in four words: {@code error}, {@code warn}, {@code info}, {@code debug}. Only the start of a
 * line is read, so a long line costs no more than a short one.
 */
public final class LogLevels {
    /** How much of a line is looked at. */
    static final int LOOK_AT = 200;

    private static final Pattern JSON_LEVEL =
            Pattern.compile("\"(?:level|severity|lvl)\"\\s*:\\s*\"([A-Za-z]{3,9})\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern LOGFMT_LEVEL =
            Pattern.compile("(?:^|\\s)(?:level|lvl|severity)=\"?([A-Za-z]{3,9})", Pattern.CASE_INSENSITIVE);
    /** Up to three leading words, each possibly bracketed or followed by a colon. */
    private static final Pattern LEADING_WORD = Pattern.compile("[\\[(<]?([A-Za-z]{3,9})[\\])>]?:?");

    private LogLevels() {}

    /** The level {@code line} states, or null when it states none. */
    public static String stated(String line) {
        String start = line.length() > LOOK_AT ? line.substring(0, LOOK_AT) : line;
        int from = 0;
        while (from < start.length() && Character.isWhitespace(start.charAt(from))) {
            from++;
        }
        if (start.startsWith("{", from)) {
            Matcher json = JSON_LEVEL.matcher(start);
            return json.find() ? normal(json.group(1)) : null;
        }
        if (start.contains("level=") || start.contains("lvl=") || start.contains("severity=")) {
            Matcher logfmt = LOGFMT_LEVEL.matcher(start);
            if (logfmt.find()) {
                return normal(logfmt.group(1));
            }
        }
        // The first three words, without a regular expression to split them: this runs for every line.
        for (int word = 0; word < 3 && from < start.length(); word++) {
            int end = from;
            while (end < start.length() && !Character.isWhitespace(start.charAt(end))) {
                end++;
            }
            // A level word is 3 to 9 letters, perhaps bracketed and with a colon: longer words are not one.
            Matcher leading = end - from >= 3 && end - from <= 12
                    ? LEADING_WORD.matcher(start).region(from, end)
                    : null;
            if (leading != null && leading.matches()) {
                String level = normal(leading.group(1));
                if (level != null) {
                    return level;
                }
            }
            from = end;
            while (from < start.length() && Character.isWhitespace(start.charAt(from))) {
                from++;
            }
        }
        return null;
    }

    private static String normal(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "error", "err", "fatal", "critical", "crit", "panic", "severe", "emerg", "alert" -> "error";
            case "warn", "warning" -> "warn";
            case "info", "notice" -> "info";
            case "debug", "trace", "fine", "finer", "finest" -> "debug";
            default -> null;
        };
    }
}
