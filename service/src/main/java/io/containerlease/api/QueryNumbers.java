package io.containerlease.api;

/** Whole-number query parameters, checked the same way for HTTP and WebSocket requests. */
final class QueryNumbers {
    private QueryNumbers() {}

    /**
     * @param raw the parameter's value, null when absent
     * @throws ApiException (400 invalid_query) when present but not a whole number in [min, max]
     */
    static long parse(String name, String raw, long fallback, long min, long max) {
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
        throw ApiException.badRequest("invalid_query", "'" + name + "' must be a whole number between " + min + " and " + max);
    }
}
