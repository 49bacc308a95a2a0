package io.containerlease.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console, served from the jar's {@code public/} folder (the Vite build puts it there).
 * Hashed assets are cached for a year; {@code index.html} is never cached, so a new build is picked
 * up at once. Any other path that is not the API's answers {@code index.html}, so a deep link works.
 * Every page carries a Content-Security-Policy that allows no inline or foreign script.
 */
final class ConsoleRoutes {
    static final String CONTENT_SECURITY_POLICY = String.join("; ",
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
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon", "json", "application/json",
            "woff2", "font/woff2", "txt", "text/plain; charset=utf-8", "map", "application/json");

    private final ClassLoader loader;
    /** Only files that exist are kept: the console is a few hundred kilobytes, read once. */
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    ConsoleRoutes(ClassLoader loader) {
        this.loader = loader;
    }

    void serve(Context ctx) {
        String path = ctx.path();
        if (isApi(path)) {
            throw new ApiException(404, "not_found", "no such endpoint: " + ctx.method() + " " + path);
        }
        Optional<byte[]> file = path.equals("/") || path.contains("..") ? Optional.empty() : read(path);
        if (file.isPresent() && path.startsWith(HASHED_ASSETS)) {
            send(ctx, path, file.get(), "public, max-age=31536000, immutable");
            return;
        }
        if (file.isPresent()) {
            send(ctx, path, file.get(), "no-cache");
            return;
        }
        if (path.startsWith(HASHED_ASSETS)) {
            // An old page asking for an asset of an earlier build: HTML in its place would only confuse it.
            throw new ApiException(404, "not_found", "no such file: " + path);
        }
        byte[] index = read(INDEX).orElseThrow(() -> new ApiException(404, "not_found",
                "this build has no web console (it was built without Node.js); the API is under /api"));
        send(ctx, INDEX, index, "no-cache");
    }

    static boolean isApi(String path) {
        return path.equals("/api") || path.startsWith("/api/") || path.equals("/ws") || path.startsWith("/ws/")
                || path.equals("/healthz") || path.equals("/metrics");
    }

    private static void send(Context ctx, String path, byte[] body, String cacheControl) {
        ctx.header("Cache-Control", cacheControl);
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.contentType(TYPES.getOrDefault(extension(path), "application/octet-stream"));
        ctx.result(body);
    }

    private static String extension(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 || dot < path.lastIndexOf('/') ? "" : path.substring(dot + 1);
    }

    private Optional<byte[]> read(String path) {
        byte[] cached = files.get(path);
        if (cached != null) {
            return Optional.of(cached);
        }
        if (extension(path).isEmpty() || path.endsWith("/")) {
            return Optional.empty(); // a folder on the classpath may read as a listing; only files are served
        }
        try (InputStream in = loader.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] body = in.readAllBytes();
            files.put(path, body);
            return Optional.of(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
