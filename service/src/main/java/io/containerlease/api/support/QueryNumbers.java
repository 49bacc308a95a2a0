package io.containerlease.api.support;

/** Whole-number and true/false query parameters, checked the same way for HTTP and WebSocket requests. */
public final class QueryNumbers {
    private QueryNumbers() {}

    /**
     * @param raw the parameter's value, null when absent
     * @throws ApiException (400 invalid_query) when present but not a whole number in [min, max]
     */
    public static long parse(String name, String raw, long fallback, long min, long max) {
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest(
                "invalid_query", "'" + name + "' must be a whole number between " + min + " and " + max);
    }

    /**
     * @param raw the parameter's value, null when absent (false)
     * @throws ApiException (400 invalid_query) when present but neither true nor false
     */
    public static boolean flag(String name, String raw) {
        return flag(name, raw, false);
    }

    /**
     * @param raw      the parameter's value, null or empty when absent
     * @param fallback what an absent parameter means
     * @throws ApiException (400 invalid_query) when present but neither true nor false
     */
    public static boolean flag(String name, String raw, boolean fallback) {
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        if (raw.equals("false")) {
            return false;
        }
        if (raw.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("invalid_query", "'" + name + "' must be true or false");
    }
}
