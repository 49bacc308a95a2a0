package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A reader of the server's event stream ({@code GET /api/events}, as any client follows it) during a scenario: which leases it heard of in which event, how late each came (received
 * minus the event's own time), and whether the server ever told it that it dropped or could not
 * replay some. Whether the stream keeps up is what it answers.
 */
final class EventTally implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Set<String>> leasesByType = new ConcurrentHashMap<>();
    private final List<Double> lagMs = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile long lost;
    private final Thread reader;

    /** Follows {@code types} from now on; returns once the server has answered the subscription. */
    EventTally(String baseUrl, String types) throws InterruptedException {
        CountDownLatch answered = new CountDownLatch(1);
        reader = Thread.ofVirtual().start(() -> read(baseUrl, types, answered));
        if (!answered.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the event stream did not answer within 30 s");
        }
    }

    private void read(String baseUrl, String types, CountDownLatch answered) {
        try {
            HttpResponse<Stream<String>> response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + "/api/events?types=" + types))
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            answered.countDown();
            response.body().filter(line -> line.startsWith("data:")).forEach(line -> {
                Instant received = Instant.now();
                JsonNode event;
                try {
                    event = JSON.readTree(line.substring(5));
                } catch (java.io.IOException malformed) {
                    lost++;
                    return;
                }
                String type = event.path("type").asText();
                if (type.equals("dropped")) {
                    lost += event.path("count").asLong(1);
                } else if (type.equals("gap")) {
                    lost++;
                } else {
                    leasesByType
                            .computeIfAbsent(type, t -> ConcurrentHashMap.newKeySet())
                            .add(event.path("leaseId").asText());
                    if (event.hasNonNull("at")) {
                        lagMs.add((double) Duration.between(
                                                Instant.parse(event.get("at").asText()), received)
                                        .toNanos()
                                / 1e6);
                    }
                }
            });
        } catch (java.io.IOException | InterruptedException | java.io.UncheckedIOException closed) {
            // closed by close(), or the server went away: what was heard stands
        } finally {
            answered.countDown();
        }
    }

    /** How many of {@code ids} an event of {@code type} was heard for. */
    int heard(String type, Set<String> ids) {
        Set<String> seen = leasesByType.getOrDefault(type, Set.of());
        return (int) ids.stream().filter(seen::contains).count();
    }

    /** Events the server said it dropped for this reader or could no longer replay. */
    long lost() {
        return lost;
    }

    /** The {@code q}-th percentile of received minus the event's time, in milliseconds. */
    double lagMsPercentile(double q) {
        synchronized (lagMs) {
            return lagMs.isEmpty() ? Double.NaN : Percentiles.of(new ArrayList<>(lagMs), q);
        }
    }

    @Override
    public void close() {
        reader.interrupt();
        http.shutdownNow();
    }
}
