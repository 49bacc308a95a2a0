package io.containerlease.lease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which image types cannot be leased now, and why, as the engine last said when their image was
 * made ready (present, or pulled): checked once for every type at start, and again by every
 * provision, so a registry that comes back clears the mark on the next try. The catalog shows the
 * marks, so nobody is offered what cannot work.
 */
public final class ImageReadiness {
    private static final Logger log = LoggerFactory.getLogger(ImageReadiness.class);

    private final ContainerRuntime runtime;
    /** Image type → why its image cannot be had, in words anyone may read. */
    private final Map<String, String> unavailable = new ConcurrentHashMap<>();

    public ImageReadiness(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Makes the type's image ready on the engine, as {@link ContainerRuntime#ensureImage} does, and
     * remembers whether it could.
     *
     * @throws ImageUnavailableException when it cannot be had (the type is then marked)
     */
    public void ensure(ImageSpec spec) {
        try {
            runtime.ensureImage(spec);
        } catch (ImageUnavailableException e) {
            if (unavailable.put(spec.imageType(), reason(spec)) == null) {
                log.warn(
                        "an image type cannot be leased: its image cannot be had {} {}",
                        kv("imageType", spec.imageType()),
                        kv("error", e.clientMessage()));
            }
            throw e;
        }
        if (unavailable.remove(spec.imageType()) != null) {
            log.info("an image type can be leased again {}", kv("imageType", spec.imageType()));
        }
    }

    /**
     * Checks every type whose image is not pulled on each lease anyway ({@code pullPolicy: always}
     * would pull here for nothing); an engine that does not answer marks nothing.
     */
    public void checkAll(ImageTypes catalog) {
        for (String type : catalog.imageTypes()) {
            ImageSpec spec = catalog.find(type).orElseThrow();
            if (spec.pullPolicy() == ImageSpec.PullPolicy.ALWAYS) {
                continue;
            }
            try {
                ensure(spec);
            } catch (ImageUnavailableException e) {
                // marked; the catalog says so
            } catch (RuntimeException e) {
                log.info(
                        "could not check an image type's image; a provision checks it again {} {}",
                        kv("imageType", type),
                        kv("error", String.valueOf(e.getMessage())));
            }
        }
    }

    /**
     * Why, in words for anyone who may lease: the image reference stays out (it may name an internal
     * registry; the log has the engine's own words).
     */
    private static String reason(ImageSpec spec) {
        return spec.pullPolicy() == ImageSpec.PullPolicy.NEVER
                ? "its image is not on this service's engine"
                : "its image could not be pulled from its registry; an operator can pull it by hand";
    }

    /** Why {@code imageType} cannot be leased now, when it cannot. */
    public Optional<String> problem(String imageType) {
        return Optional.ofNullable(unavailable.get(imageType));
    }
}
