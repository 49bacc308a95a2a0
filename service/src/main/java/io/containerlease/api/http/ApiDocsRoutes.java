package io.containerlease.api.http;

import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.RequestPaths;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The API's description: {@code GET /api/openapi.yaml} (the document the tests hold every answer
 * to) and {@code GET /api/docs}, Swagger UI from its webjar in the jar (no CDN), pointed at it.
 * Both are public: the document holds no secret, and a reader needs a token only to try a call.
 */
public final class ApiDocsRoutes {
    public static final String DOCUMENT = RequestPaths.API_DOCUMENT;
    public static final String DOCS = RequestPaths.API_DOCS;
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";

    private final ClasspathFiles own;
    private final ClasspathFiles swaggerUi;

    public ApiDocsRoutes(ClassLoader loader) {
        this.own = new ClasspathFiles(loader, "api-docs");
        this.swaggerUi = new ClasspathFiles(loader, WEBJAR + webjarVersion(loader));
    }

    public void document(Context ctx) {
        byte[] body = own.read("/openapi.yaml")
                .orElseThrow(() -> new ApiException(404, "not_found", "this build has no API document"));
        ClasspathFiles.send(ctx, DOCUMENT, body, "no-cache");
        ctx.contentType("application/yaml; charset=utf-8");
    }

    /** {@code /api/docs} is the page; {@code /api/docs/NAME} its script and Swagger UI's files. */
    public void docs(Context ctx) {
        String file = ctx.path().equals(DOCS) || ctx.path().equals(DOCS + "/")
                ? "/index.html"
                : ctx.path().substring(DOCS.length());
        byte[] body = own.read(file)
                .or(() -> swaggerUi.read(file))
                .orElseThrow(() -> new ApiException(404, "not_found", "no such file: " + ctx.path()));
        ClasspathFiles.send(ctx, file, body, "no-cache");
    }

    /** The webjar's version, from the Maven metadata it carries (so a version bump needs no code change). */
    private static String webjarVersion(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                return "missing";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "missing");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
