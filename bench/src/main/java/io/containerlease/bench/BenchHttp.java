package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The few API calls the bench makes, against a server with AUTH=off. */
final class BenchHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    BenchHttp(String base) {
        this.base = base;
    }

    record Answer(int status, JsonNode json) {}

    Answer provision(String imageType, long seconds) throws IOException, InterruptedException {
        var r = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/provision"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"imageType\":\"" + imageType + "\",\"durationSeconds\":" + seconds + "}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().startsWith("{") ? JSON.readTree(r.body()) : JSON.nullNode());
    }

    /** Provisions and returns the lease id, or throws unless the answer is 201. */
    String lease(String imageType, long seconds) throws IOException, InterruptedException {
        Answer a = provision(imageType, seconds);
        if (a.status() != 201) {
            throw new IllegalStateException("provisioning answered " + a.status() + ": " + a.json());
        }
        return a.json().get("id").asText();
    }

    int release(String id) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create(base + "/api/containers/" + id))
                                .timeout(Duration.ofSeconds(120))
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        var r = http.send(
                HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    String text(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Every lease the server knows, ended ones too. */
    List<JsonNode> allLeases() throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/api/containers?all=true&limit=500" + (cursor == null ? "" : "&cursor=" + cursor));
            if (!page.has("containers")) {
                throw new IllegalStateException("listing answered " + page);
            }
            page.get("containers").forEach(out::add);
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asText();
        } while (cursor != null);
        return out;
    }
}
