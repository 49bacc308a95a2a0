package io.containerlease.lease;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to create one lease's container. {@code deadline}: when the container ends itself
 * even if no server of ours is alive then (our helper, its PID 1, holds it). The hardening (no capabilities, no new
 * privileges, limits, no host mounts but the service's own {@link Mounts}) is not a field here: the runtime applies it to every
 * container, so no caller can forget or weaken it.
 */
public record ContainerSpec(
        String name,
        ImageSpec image,
        Map<String, String> env,
        Map<String, String> labels,
        Map<String, String> secretFiles,
        Mounts mounts,
        Optional<java.time.Instant> deadline) {
    /** Where secret files appear in the container, one file per name. */
    public static final String SECRETS_DIR = "/run/secrets";

    public ContainerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        env = Map.copyOf(env);
        labels = Map.copyOf(labels);
        secretFiles = Map.copyOf(secretFiles);
        Objects.requireNonNull(mounts, "mounts");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** A container without a deadline of its own (the runtime's tests). */
    public ContainerSpec(String name, ImageSpec image, Map<String, String> env, Map<String, String> labels) {
        this(name, image, env, labels, Map.of(), Mounts.NONE, Optional.empty());
    }

    /**
     * What the service mounts into a lease's container besides what the runtime always gives: for a
     * channel, a small private directory of the container's own at {@link ImageSpec#CHANNEL_DIR}
     * (the program's socket stays inside the container; the service reaches it through its helper,
     * never through a host path), and the lease's code volume (mounted at the catalog's code path).
     * No host directory is ever mounted.
     */
    public record Mounts(boolean channel, Optional<String> codeVolume) {
        public static final Mounts NONE = new Mounts(false, Optional.empty());

        public Mounts {
            Objects.requireNonNull(codeVolume, "codeVolume");
        }
    }
}
