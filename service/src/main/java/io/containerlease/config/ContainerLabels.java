package io.containerlease.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CONTAINER_LABELS: extra labels an operator puts on every container the service creates
 * ({@code team=labs,cost-centre=42}), to find, count or bill them with the engine's own tools. The
 * {@code containerlease.} prefix is the service's own and cannot be set here.
 */
public final class ContainerLabels {
    private static final Pattern KEY = Pattern.compile("[a-z0-9]([a-z0-9._/-]{0,126}[a-z0-9])?");
    static final int MAX_LABELS = 16;
    static final String RESERVED_PREFIX = "containerlease.";

    private ContainerLabels() {}

    /**
     * @param text {@code key=value} pairs separated by commas; blank for none
     * @throws IllegalArgumentException naming the first pair at fault
     */
    public static Map<String, String> parse(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        for (String pair : text.split(",")) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            String key = eq < 0 ? trimmed : trimmed.substring(0, eq).trim();
            String value = eq < 0 ? "" : trimmed.substring(eq + 1).trim();
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException(
                        "'" + key + "' is not a label key (lower-case letters, digits, '.', '-', '_', '/')");
            }
            if (key.startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException(
                        "'" + key + "': keys starting with " + RESERVED_PREFIX + " are the service's own");
            }
            if (value.length() > 256) {
                throw new IllegalArgumentException("the value of '" + key + "' is longer than 256 characters");
            }
            labels.put(key, value);
        }
        if (labels.size() > MAX_LABELS) {
            throw new IllegalArgumentException("at most " + MAX_LABELS + " labels");
        }
        return Map.copyOf(labels);
    }
}
