package io.containerlease.support;

import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ImageSpec;

/** The built-in busybox image type with another name, lifecycle or way into its program, for tests that need one. */
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
}
