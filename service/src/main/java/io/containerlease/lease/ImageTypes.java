package io.containerlease.lease;

import java.util.Optional;
import java.util.Set;

/** The image types leases may be asked for (the catalog, as the core sees it). */
public interface ImageTypes {
    Optional<ImageSpec> find(String imageType);

    /** Every type, in the catalog's order. */
    Set<String> imageTypes();
}
