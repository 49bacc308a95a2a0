package io.containerlease.config;

import java.util.Optional;

/**
 * How previews (a port inside a lease, opened in a browser) are served: on {@code port} (PREVIEW_PORT;
 * 0 for any free one; empty when PREVIEW_PORT=off), at {@code url} (PREVIEW_URL, {@code *} standing
 * for each preview's own name; by default {@code http://*.localhost:PORT}), signed with {@code secret}
 * (PREVIEW_SECRET; by default a key kept in DATA_DIR, which servers sharing a store must share).
 */
public record PreviewChoice(Optional<Integer> port, Optional<String> url, Optional<String> secret) {
    public static final int DEFAULT_PORT = 8081;

    public boolean enabled() {
        return port.isPresent();
    }
}
