package io.containerlease.lease;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** A validated request for a new lease: the shape is checked by the API, the bounds by {@link LeasePolicy}. */
public record ProvisionRequest(String imageType, Duration duration, Map<String, String> env) {
    public ProvisionRequest {
        Objects.requireNonNull(imageType, "imageType");
        Objects.requireNonNull(duration, "duration");
        env = Map.copyOf(env);
    }
}
