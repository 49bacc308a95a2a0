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
        return new ImageSpec(
                spec.imageType(),
                image,
                command,
                spec.shell(),
                spec.memoryMb(),
                spec.cpus(),
                spec.pidsLimit(),
                spec.pullPolicy(),
                spec.network(),
                spec.sessionDefaults(),
                spec.user(),
                spec.readOnlyRootfs(),
                spec.disk(),
                spec.lifecycle(),
                spec.program());
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
        return new ImageSpec(
                spec.imageType(),
                spec.image(),
                spec.command(),
                spec.shell(),
                spec.memoryMb(),
                spec.cpus(),
                spec.pidsLimit(),
                spec.pullPolicy(),
                spec.network(),
                spec.sessionDefaults(),
                java.util.Optional.of(user),
                spec.readOnlyRootfs(),
                spec.disk(),
                spec.lifecycle(),
                spec.program());
    }
}
