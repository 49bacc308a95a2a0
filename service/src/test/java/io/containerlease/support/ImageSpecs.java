package io.containerlease.support;

import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ImageSpec;

/** The built-in busybox image type with another name, image, command, lifecycle or way into its program, for tests that need one. */
public final class ImageSpecs {
    private ImageSpecs() {}

    public static ImageSpec busybox() {
        return ImageCatalog.builtIn().find("busybox").orElseThrow();
    }

    /** Busybox as {@code imageType}, with {@code lifecycle} and {@code program} instead of its own. */
    public static ImageSpec busyboxAs(String imageType, ImageSpec.Lifecycle lifecycle, ImageSpec.Program program) {
        ImageSpec b = busybox();
        return new ImageSpec(
                imageType,
                b.image(),
                b.command(),
                b.shell(),
                b.memoryMb(),
                b.cpus(),
                b.pidsLimit(),
                b.pullPolicy(),
                b.network(),
                b.sessionDefaults(),
                b.user(),
                b.readOnlyRootfs(),
                b.disk(),
                lifecycle,
                program);
    }

    /** {@code spec} with another image and command. */
    public static ImageSpec withImage(ImageSpec spec, String image, java.util.List<String> command) {
        return copy(spec, image, command, spec.pullPolicy(), spec.user());
    }

    /** {@code spec} with another image, its command kept. */
    public static ImageSpec withImage(ImageSpec spec, String image) {
        return withImage(spec, image, spec.command());
    }

    /** {@code spec} running another command. */
    public static ImageSpec withCommand(ImageSpec spec, java.util.List<String> command) {
        return withImage(spec, spec.image(), command);
    }

    /** {@code spec} run as {@code user}. */
    public static ImageSpec withUser(ImageSpec spec, String user) {
        return copy(spec, spec.image(), spec.command(), spec.pullPolicy(), java.util.Optional.of(user));
    }

    /** {@code spec} pulled as {@code policy} says. */
    public static ImageSpec withPullPolicy(ImageSpec spec, ImageSpec.PullPolicy policy) {
        return copy(spec, spec.image(), spec.command(), policy, spec.user());
    }

    private static ImageSpec copy(
            ImageSpec spec,
            String image,
            java.util.List<String> command,
            ImageSpec.PullPolicy policy,
            java.util.Optional<String> user) {
        return new ImageSpec(
                spec.imageType(),
                image,
                command,
                spec.shell(),
                spec.memoryMb(),
                spec.cpus(),
                spec.pidsLimit(),
                policy,
                spec.network(),
                spec.sessionDefaults(),
                user,
                spec.readOnlyRootfs(),
                spec.disk(),
                spec.lifecycle(),
                spec.program());
    }
}
