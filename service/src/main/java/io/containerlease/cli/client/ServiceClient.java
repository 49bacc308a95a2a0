package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The service's REST API as the command-line client calls it: JSON in and out, failures as {@link ClientFailure}. */
public final class ServiceClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String url;
    private final Optional<String> token;

    public ServiceClient(String url, Optional<String> token) {
        this.url = url;
        this.token = token;
    }

    public String url() {
        return url;
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /** Sends {@code body} as it is (an archive, say), not as JSON. */
    public JsonNode put(String path, byte[] body, String contentType) {
        return send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(body), contentType);
    }

    /**
     * Opens one of the service's WebSockets ({@code path} with its query) with the token in a header.
     * A refused upgrade, or no server, is a {@link ClientFailure} naming {@code what} was refused.
     */
    public java.net.http.WebSocket openSocket(String path, java.net.http.WebSocket.Listener listener, String what) {
        java.net.http.WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        try {
            return builder.buildAsync(URI.create(url.replaceFirst("^http", "ws") + path), listener)
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                int status = refused.getResponse().statusCode();
                throw new ClientFailure(
                        status == 404 ? ClientFailure.NOT_FOUND : ClientFailure.REFUSED,
                        "http_" + status,
                        status == 401
                                ? "the server wants a token: run 'containerlease login'"
                                : "the server refused " + what + " (" + status + ")");
            }
            throw unreachable();
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable();
        } catch (IllegalArgumentException e) {
            throw new ClientFailure(
                    ClientFailure.USAGE, null, "'" + url + "' is not a server URL (like http://localhost:8080)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientFailure(ClientFailure.UNREACHABLE, null, "interrupted");
        }
    }

    private ClientFailure unreachable() {
        return new ClientFailure(
                ClientFailure.UNREACHABLE, null, "cannot connect to " + url + " (is the server running?)");
    }

    private JsonNode send(String method, String path, Object json) {
        try {
            return json == null
                    ? send(method, path, HttpRequest.BodyPublishers.noBody(), null)
                    : send(
                            method,
                            path,
                            HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(json)),
                            "application/json");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write the request as JSON", e);
        }
    }

    private JsonNode send(String method, String path, HttpRequest.BodyPublisher body, String contentType) {
        HttpResponse<String> response = exchange(
                request(method, path, body, contentType).timeout(Duration.ofMinutes(5)),
                HttpResponse.BodyHandlers.ofString());
        JsonNode json = parse(response.body());
        if (response.statusCode() >= 400) {
            throw failure(response.statusCode(), json);
        }
        return json;
    }

    /**
     * A GET whose body is read as it comes (a download); an error answer is a {@link ClientFailure}.
     * No overall time limit: a large download takes as long as it takes.
     */
    public HttpResponse<java.io.InputStream> stream(String path) {
        HttpResponse<java.io.InputStream> response = exchange(
                request("GET", path, HttpRequest.BodyPublishers.noBody(), null),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 400) {
            try (var in = response.body()) {
                throw failure(response.statusCode(), parse(new String(in.readNBytes(64 * 1024))));
            } catch (IOException e) {
                throw failure(response.statusCode(), JSON.nullNode());
            }
        }
        return response;
    }

    /** Sends a body read as it goes (an upload of any size); {@code length} -1 when unknown. */
    public JsonNode upload(
            String path, java.util.function.Supplier<java.io.InputStream> body, long length, String type) {
        HttpRequest.BodyPublisher publisher = length < 0
                ? HttpRequest.BodyPublishers.ofInputStream(body)
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length);
        HttpResponse<String> response =
                exchange(request("PUT", path, publisher, type), HttpResponse.BodyHandlers.ofString());
        JsonNode json = parse(response.body());
        if (response.statusCode() >= 400) {
            throw failure(response.statusCode(), json);
        }
        return json;
    }

    private HttpRequest.Builder request(String method, String path, HttpRequest.BodyPublisher body, String type) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url + path)).method(method, body);
        } catch (IllegalArgumentException e) {
            throw new ClientFailure(
                    ClientFailure.USAGE, null, "'" + url + "' is not a server URL (like http://localhost:8080)");
        }
        if (type != null) {
            request.header("Content-Type", type);
        }
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return request;
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request.build(), handler);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable();
        } catch (IOException e) {
            throw new ClientFailure(
                    ClientFailure.UNREACHABLE, null, "the connection to " + url + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientFailure(ClientFailure.UNREACHABLE, null, "interrupted");
        }
    }

    private static ClientFailure failure(int status, JsonNode json) {
        String code = json.at("/error/code").asText("http_" + status);
        String message = json.at("/error/message").asText("the server answered " + status);
        return new ClientFailure(status == 404 ? ClientFailure.NOT_FOUND : ClientFailure.REFUSED, code, message);
    }

    /** The JSON in {@code body}; a JSON null when there is none (an empty body, or not JSON: a frame to skip). */
    static JsonNode parse(String body) {
        try {
            return body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.nullNode();
        }
    }
}
