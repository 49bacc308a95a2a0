package io.containerlease.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The API's document ({@code api-docs/openapi.yaml}, as the server serves it) and the check every
 * response the API tests receive goes through: a status, a field or a shape the document does not
 * describe fails the test that saw it, so the document cannot drift from the API.
 */
public final class OpenApiContract {
    public static final String RESOURCE = "api-docs/openapi.yaml";
    /** Built on first use: a document that does not load fails the test that first needs it, saying why. */
    private static final class Loaded {
        static final OpenApiInteractionValidator VALIDATOR =
                OpenApiInteractionValidator.createForInlineApiSpecification(document())
                        .build();
    }

    private OpenApiContract() {}

    /** The document's text. */
    public static String document() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the document is about this path: the API, its health and its metrics (the rest is the web console). */
    private static boolean describes(String path) {
        return path.equals("/api") || path.startsWith("/api/") || path.equals("/healthz") || path.equals("/metrics");
    }

    /** What the server answers before it knows the endpoint: a bad path, no token, a foreign host, too many requests, none such. */
    private static final java.util.Set<Integer> BEFORE_ROUTING = java.util.Set.of(400, 401, 403, 404, 405, 429);

    /**
     * Fails unless the document describes this response to this request. A request for an endpoint
     * the document does not have passes only with an answer the server gives before routing.
     */
    public static void check(String method, String pathAndQuery, int status, String contentType, String body) {
        String path = pathAndQuery.split("\\?", 2)[0];
        if (!describes(path)) {
            return; // the web console's pages and files: not the API's
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(status).withBody(body);
        if (contentType != null) {
            response.withContentType(contentType);
        }
        ValidationReport report = Loaded.VALIDATOR.validateResponse(
                path, Request.Method.valueOf(method.toUpperCase(Locale.ROOT)), response.build());
        boolean unknownOperation = report.getMessages().stream()
                .anyMatch(m -> m.getKey().equals("validation.request.path.missing")
                        || m.getKey().equals("validation.request.operation.notAllowed"));
        if (unknownOperation && BEFORE_ROUTING.contains(status)) {
            return;
        }
        if (report.hasErrors()) {
            throw new AssertionError("the answer to " + method + " " + pathAndQuery + " (" + status
                    + ") is not what openapi.yaml says:\n"
                    + report.getMessages().stream()
                            .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                            .map(m -> "  " + m.getKey() + ": " + m.getMessage())
                            .collect(Collectors.joining("\n"))
                    + "\n  body: " + (body.length() > 500 ? body.substring(0, 500) + "…" : body));
        }
    }
}
