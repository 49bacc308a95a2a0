package io.containerlease.lease;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A validated request for a new lease: the shape is checked by the API, the bounds by {@link LeasePolicy}.
 *
 * @param rules the session rules asked for; each absent rule falls back to the image type's default
 */
public record ProvisionRequest(String imageType, Duration duration, Map<String, String> env, SessionRules rules) {
    public ProvisionRequest {
        Objects.requireNonNull(imageType, "imageType");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(rules, "rules");
        env = Map.copyOf(env);
    }

    public ProvisionRequest(String imageType, Duration duration, Map<String, String> env) {
        this(imageType, duration, env, SessionRules.NONE);
    }
}
