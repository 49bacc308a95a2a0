package io.containerlease.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small JSON client for the service's HTTP API, as a user's script would call it. In the service's
 * tests every answer it gets is held to the API's OpenAPI document ({@link OpenApiContract}).
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Whether answers are held to the OpenAPI document: wherever its validator is on the classpath, as it
     * always is for the service's tests. The bench reuses this client against the servers it measures
     * and does not carry the validator.
     */
    public static final boolean CHECKS_CONTRACT = validatorPresent();

    private static boolean validatorPresent() {
        try {
            Class.forName(
                    "com.atlassian.oai.validator.OpenApiInteractionValidator", false, ApiClient.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    public ApiClient(String baseUrl) {
        this(baseUrl, null);
    }

    /** A client that sends {@code Authorization: Bearer token} with every request. */
    public ApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public record Response(int status, String body, JsonNode json, HttpHeaders headers) {}

    public Response get(String path) {
        return send("GET", path, null, null);
    }

    public Response post(String path, String body) {
        return send("POST", path, body, "application/json");
    }

    public Response delete(String path) {
        return send("DELETE", path, null, null);
    }

    /** Provisions a lease and returns its id, failing the test unless the answer is 201. */
    public String provision(String imageType, String durationField, long amount) {
        Response r = post(
                "/api/provision", "{\"imageType\":\"" + imageType + "\",\"" + durationField + "\":" + amount + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    public Response send(String method, String path, String body, String contentType) {
        return send(method, path, body, contentType, java.util.Map.of());
    }

    public Response send(
            String method, String path, String body, String contentType, java.util.Map<String, String> headers) {
        return send(
                method,
                path,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
                contentType,
                headers);
    }

    /** A request with a binary body (a code archive, say). */
    public Response sendBytes(String method, String path, byte[] body, String contentType) {
        return send(method, path, HttpRequest.BodyPublishers.ofByteArray(body), contentType, java.util.Map.of());
    }

    private Response send(
            String method,
            String path,
            HttpRequest.BodyPublisher body,
            String contentType,
            java.util.Map<String, String> headers) {
        var builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body);
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        headers.forEach(builder::header);
        try {
            // No retry: a server that drops a kept-alive connection must show, not be papered over.
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            if (CHECKS_CONTRACT) {
                OpenApiContract.check(
                        method,
                        path,
                        response.statusCode(),
                        response.headers().firstValue("Content-Type").orElse(null),
                        response.body());
            }
            JsonNode json = response.body().startsWith("{") ? JSON.readTree(response.body()) : JSON.nullNode();
            return new Response(response.statusCode(), response.body(), json, response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Asserts a message meant for a client says nothing about the server's insides: no exception
     * class, no library method, no source file, no IP address, no name lookup.
     */
    public static void assertNoInternals(String message) {
        assertThat(message)
                .doesNotContainPattern("\\b[A-Z]\\w*(Exception|Error)\\b")
                .doesNotContainPattern("`[^`]*\\(\\)`")
                .doesNotContainPattern("`[^`]*`")
                .doesNotContainPattern("\\b(com|org|io|java|jakarta)\\.[a-z]+\\.")
                .doesNotContainPattern("\\b[A-Z][a-z]+Feature\\b")
                .doesNotContain("Jackson", "JsonNode", "StreamReadConstraints", "START_OBJECT")
                .doesNotContainPattern("\\.java\\b")
                .doesNotContainPattern("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b")
                .doesNotContain("lookup ", "dial tcp", "registry-1", "Broken pipe");
    }

    /** Asserts the response is the error shape with this status and code. */
    public static void assertError(Response r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.json().at("/error/code").asText()).as(r.body()).isEqualTo(code);
        assertThat(r.json().at("/error/message").asText()).isNotBlank();
    }
}
