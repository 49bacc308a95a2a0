package io.containerlease.api.http;

import io.containerlease.config.ImageCatalog;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.ImageReadiness;
import io.containerlease.lease.ImageSpec;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/catalog}: the image types a user may lease, with what a provision form needs to
 * offer them (description, duration bounds and a suggestion, session defaults, limits). The image
 * references themselves stay private: they may name internal registries.
 */
public final class CatalogRoutes {
    /** Suggested when a catalog entry gives none: an hour, or the longest lease if that is shorter. */
    private static final Duration FALLBACK_DEFAULT = Duration.ofHours(1);

    private final ImageCatalog catalog;
    private final ServiceConfig config;
    private final ImageReadiness images;

    public CatalogRoutes(ImageCatalog catalog, ServiceConfig config, ImageReadiness images) {
        this.catalog = catalog;
        this.config = config;
        this.images = images;
    }

    public void list(Context ctx) {
        ctx.json(Map.of(
                "imageTypes",
                catalog.imageTypes().stream().map(this::json).toList(),
                "minDurationSeconds",
                config.leaseMin().toSeconds(),
                "maxDurationSeconds",
                config.leaseMax().toSeconds()));
    }

    private Map<String, Object> json(String imageType) {
        ImageSpec spec = catalog.find(imageType).orElseThrow();
        ImageCatalog.Listing listing = catalog.listing(imageType);
        Duration suggested = listing.defaultDuration().orElse(FALLBACK_DEFAULT);
        suggested = suggested.compareTo(config.leaseMax()) > 0
                ? config.leaseMax()
                : suggested.compareTo(config.leaseMin()) < 0 ? config.leaseMin() : suggested;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("imageType", imageType);
        out.put("description", listing.description().orElse(null));
        out.put("defaultDurationSeconds", suggested.toSeconds());
        out.put(
                "ports",
                listing.ports().stream()
                        .map(p -> Map.of("port", p.port(), "name", p.name(), "protocol", p.protocol()))
                        .toList());
        out.put("terminal", !spec.shell().isEmpty());
        // Marked when its image could not be had (not on the engine, its registry out of reach).
        Optional<String> problem = images.problem(imageType);
        out.put("available", problem.isEmpty());
        problem.ifPresent(why -> out.put("unavailableReason", why));
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put(
                "disconnectGraceSeconds",
                spec.sessionDefaults()
                        .disconnectGrace()
                        .map(Duration::toSeconds)
                        .orElse(null));
        defaults.put(
                "idleTimeoutSeconds",
                spec.sessionDefaults().idleTimeout().map(Duration::toSeconds).orElse(null));
        out.put("sessionDefaults", defaults);
        out.put("memoryMb", spec.memoryMb());
        out.put("cpus", spec.cpus());
        return out;
    }
}
