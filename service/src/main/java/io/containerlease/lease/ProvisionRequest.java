package io.containerlease.lease;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A validated request for a new lease: the shape is checked by the API, the bounds by {@link LeasePolicy}.
 *
 * @param rules     the session rules asked for; each absent rule falls back to the image type's default
 * @param secretEnv   variables whose values reach the container and nothing else: never shown, logged or stored
 * @param secretFiles files delivered into the container at /run/secrets/NAME, under the same rules, and
 *                    never in the container's configuration either
 */
public record ProvisionRequest(
        String imageType,
        Duration duration,
        Map<String, String> env,
        SessionRules rules,
        Map<String, String> secretEnv,
        Map<String, String> secretFiles) {
    public ProvisionRequest {
        Objects.requireNonNull(imageType, "imageType");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(rules, "rules");
        env = Map.copyOf(env);
        secretEnv = Map.copyOf(secretEnv);
        secretFiles = Map.copyOf(secretFiles);
        for (String name : secretEnv.keySet()) {
            if (env.containsKey(name)) {
                throw new InvalidRequestException("invalid_field", "'" + name + "' is in both env and secretEnv");
            }
        }
    }

    public ProvisionRequest(String imageType, Duration duration, Map<String, String> env, SessionRules rules) {
        this(imageType, duration, env, rules, Map.of(), Map.of());
    }

    /** Every secret value of the request, to be masked wherever it might show up. */
    public java.util.List<String> secretValues() {
        java.util.List<String> all = new java.util.ArrayList<>(secretEnv.values());
        all.addAll(secretFiles.values());
        return all;
    }

    public ProvisionRequest(String imageType, Duration duration, Map<String, String> env) {
        this(imageType, duration, env, SessionRules.NONE);
    }

    /** What the container's environment holds: env and secretEnv together. */
    public Map<String, String> containerEnv() {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.putAll(secretEnv);
        return all;
    }
}
