package io.containerlease.lease;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to create one lease's container. The hardening (no capabilities, no new
 * privileges, limits, no host mounts but the service's own {@link Mounts}) is not a field here: the runtime applies it to every
 * container, so no caller can forget or weaken it.
 */
public record ContainerSpec(String name, ImageSpec image, Map<String, String> env, Map<String, String> labels,
                            Map<String, String> secretFiles, Mounts mounts) {
    /** Where secret files appear in the container, one file per name. */
    public static final String SECRETS_DIR = "/run/secrets";

    public ContainerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        env = Map.copyOf(env);
        labels = Map.copyOf(labels);
        secretFiles = Map.copyOf(secretFiles);
        Objects.requireNonNull(mounts, "mounts");
    }

    public ContainerSpec(String name, ImageSpec image, Map<String, String> env, Map<String, String> labels) {
        this(name, image, env, labels, Map.of(), Mounts.NONE);
    }

    /**
     * The only mounts a lease's container gets, both prepared by the service for this lease: its
     * channel directory (a host directory of the service's own, mounted at
     * {@link ImageSpec#CHANNEL_DIR}) and its code volume (mounted at the catalog's code path).
     */
    public record Mounts(Optional<Path> channelDir, Optional<String> codeVolume) {
        public static final Mounts NONE = new Mounts(Optional.empty(), Optional.empty());

        public Mounts {
            Objects.requireNonNull(channelDir, "channelDir");
            Objects.requireNonNull(codeVolume, "codeVolume");
        }
    }
}
