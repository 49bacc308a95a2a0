package io.containerlease.api.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What kind of failure an error is, and whether the same request may succeed later, so a client
 * can decide what to do without knowing every code: {@code category} is one of {@code validation},
 * {@code auth}, {@code not_found}, {@code conflict}, {@code quota}, {@code docker}, {@code store},
 * {@code system}.
 */
public final class ErrorKinds {
    /** Refusals that go away by themselves: wait (Retry-After says how long) and ask again. */
    private static final Set<String> RETRYABLE = Set.of(
            "rate_limited",
            "service_full",
            "docker_unavailable",
            "store_unavailable",
            "removal_pending",
            "stats_unavailable",
            "channel_not_connected",
            "channel_busy",
            "channel_timeout",
            "update_in_progress",
            "too_many_transfers");

    private ErrorKinds() {}

    public static String category(int status, String code) {
        if (code.equals("store_unavailable")) {
            return "store";
        }
        if (code.startsWith("docker_")
                || code.equals("image_unavailable")
                || code.equals("removal_pending")
                || code.equals("stats_unavailable")) {
            return "docker";
        }
        if (code.equals("permission_denied") || code.equals("read_only")) {
            return "conflict"; // the container's own file permissions, not the caller's credentials
        }
        return switch (status) {
            case 401, 403 -> "auth";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 429 -> "quota";
            default -> status >= 500 ? "system" : "validation";
        };
    }

    public static boolean retryable(String code) {
        return RETRYABLE.contains(code);
    }

    /** {@code {error: {code, message, category, retryable}}} */
    public static Map<String, Object> body(int status, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("category", category(status, code));
        error.put("retryable", retryable(code));
        return Map.of("error", error);
    }
}
