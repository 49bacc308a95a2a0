package io.containerlease.api.http;

import io.containerlease.api.support.ApiException;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * The web console, served from the jar's {@code public/} folder (the Vite build puts it there).
 * Hashed assets are cached for a year; {@code index.html} is never cached, so a new build is picked
 * up at once. Any other path that is not the API's answers {@code index.html}, so a deep link works.
 * Every page carries a Content-Security-Policy that allows no inline or foreign script.
 */
public final class ConsoleRoutes {
    public static final String CONTENT_SECURITY_POLICY = String.join(
            "; ",
            "default-src 'self'",
            "script-src 'self'",
            // xterm.js measures and themes its rows through style elements; scripts stay strict.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'");
    private static final String ROOT = "public";
    private static final String INDEX = "/index.html";
    /** Vite names these by content hash: a changed file gets a new name. */
    private static final String HASHED_ASSETS = "/assets/";

    private final ClasspathFiles files;

    public ConsoleRoutes(ClassLoader loader) {
        this.files = new ClasspathFiles(loader, ROOT);
    }

    public void serve(Context ctx) {
        String path = ctx.path();
        if (isApi(path)) {
            throw new ApiException(404, "not_found", "no such endpoint: " + ctx.method() + " " + path);
        }
        Optional<byte[]> file = path.equals("/") ? Optional.empty() : files.read(path);
        if (file.isPresent() && path.startsWith(HASHED_ASSETS)) {
            ClasspathFiles.send(ctx, path, file.get(), "public, max-age=31536000, immutable");
            return;
        }
        if (file.isPresent()) {
            ClasspathFiles.send(ctx, path, file.get(), "no-cache");
            return;
        }
        if (path.startsWith(HASHED_ASSETS)) {
            // An old page asking for an asset of an earlier build: HTML in its place would only confuse it.
            throw new ApiException(404, "not_found", "no such file: " + path);
        }
        byte[] index = files.read(INDEX)
                .orElseThrow(() -> new ApiException(
                        404,
                        "not_found",
                        "this build has no web console (it was built without Node.js); the API is under /api"));
        ClasspathFiles.send(ctx, INDEX, index, "no-cache");
    }

    public static boolean isApi(String path) {
        return path.equals("/api")
                || path.startsWith("/api/")
                || path.equals("/ws")
                || path.startsWith("/ws/")
                || path.equals("/healthz")
                || path.equals("/metrics");
    }
}
