package io.containerlease.api.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files served from one folder of the classpath (the console's build, Swagger UI's webjar), read
 * once and kept, and sent with the same safety headers as every page of the console.
 */
public final class ClasspathFiles {
    private static final Map<String, String> TYPES = Map.of(
            "html",
            "text/html; charset=utf-8",
            "js",
            "text/javascript; charset=utf-8",
            "css",
            "text/css; charset=utf-8",
            "svg",
            "image/svg+xml",
            "png",
            "image/png",
            "ico",
            "image/x-icon",
            "json",
            "application/json",
            "woff2",
            "font/woff2",
            "txt",
            "text/plain; charset=utf-8",
            "map",
            "application/json");

    private final ClassLoader loader;
    private final String root;
    /** Only files that exist are kept. */
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    /** @param root the folder, without a trailing slash */
    public ClasspathFiles(ClassLoader loader, String root) {
        this.loader = loader;
        this.root = root;
    }

    /** The file at {@code path} (starting with '/') under the root, if there is one; never a folder or a way out of it. */
    public Optional<byte[]> read(String path) {
        byte[] cached = files.get(path);
        if (cached != null) {
            return Optional.of(cached);
        }
        if (extension(path).isEmpty() || path.endsWith("/") || path.contains("..")) {
            return Optional.empty(); // a folder on the classpath may read as a listing; only files are served
        }
        try (InputStream in = loader.getResourceAsStream(root + path)) {
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

    /** Sends a file with its type, the cache rule given and the console's safety headers. */
    public static void send(Context ctx, String path, byte[] body, String cacheControl) {
        ctx.header("Cache-Control", cacheControl);
        ctx.header("Content-Security-Policy", ConsoleRoutes.CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.contentType(TYPES.getOrDefault(extension(path), "application/octet-stream"));
        ctx.result(body);
    }

    public static String extension(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 || dot < path.lastIndexOf('/') ? "" : path.substring(dot + 1);
    }
}
