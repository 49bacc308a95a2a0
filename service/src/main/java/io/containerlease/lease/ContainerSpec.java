package io.containerlease.lease;

import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to create one lease's container. The hardening (no capabilities, no new
 * privileges, limits, no host mounts) is not a field here: the runtime applies it to every
 * container, so no caller can forget or weaken it.
 */
public record ContainerSpec(String name, ImageSpec image, Map<String, String> env, Map<String, String> labels,
                            Map<String, String> secretFiles) {
    /** Where secret files appear in the container, one file per name. */
    public static final String SECRETS_DIR = "/run/secrets";

    public ContainerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        env = Map.copyOf(env);
        labels = Map.copyOf(labels);
        secretFiles = Map.copyOf(secretFiles);
    }

    public ContainerSpec(String name, ImageSpec image, Map<String, String> env, Map<String, String> labels) {
        this(name, image, env, labels, Map.of());
    }
}
