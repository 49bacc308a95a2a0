package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.preview.TcpRelay;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.runtime.docker.DockerContainerStreams;
import io.containerlease.support.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A preview request (a page from BusyBox's httpd inside a lease) through the preview server, next to
 * the same request through our helper's relay with no service around it (the engine's exec, from
 * the bench), interleaved on one container: the first request of a lease's port (which starts its
 * relay) and warm ones (a new connection each, as a browser opens them).
 */
public final class PreviewBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How much to measure. */
    public record Sizes(int leases, int requests) {
        public static final Sizes SMOKE = new Sizes(1, 10);
        public static final Sizes QUICK = new Sizes(3, 100);
        public static final Sizes FULL = new Sizes(8, 500);
    }

    private final Sizes sizes;
    private final Path workDir;
    private final HttpClient http = HttpClient.newHttpClient();

    public PreviewBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    public List<BenchResult> run() throws Exception {
        Path catalog = Files.writeString(workDir.resolve("preview-catalog.yaml"), """
                images:
                  web:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "mkdir -p /tmp/www && echo '<h1>bench</h1>' > /tmp/www/index.html && exec httpd -f -p 8000 -h /tmp/www"]
                    pullPolicy: never
                """);
        ServerProcess server =
                BenchServers.start(workDir.resolve("preview-data"), Map.of("IMAGE_CATALOG", catalog.toString()));
        String dockerHost = BenchServers.config(
                        Map.of("DATA_DIR", workDir.resolve("preview-config").toString()))
                .dockerHost();
        var negotiated = DockerClients.connect(dockerHost, Duration.ofSeconds(60));
        DockerClient docker = negotiated.client();
        DockerClient streaming = DockerClients.streaming(dockerHost, negotiated);
        var raw = new DockerContainerStreams(
                streaming, DockerContainerStreams.unixSocket(dockerHost), negotiated.apiVersion());
        List<Double> firstService = new ArrayList<>();
        List<Double> firstRaw = new ArrayList<>();
        List<Double> warmService = new ArrayList<>();
        List<Double> warmRaw = new ArrayList<>();
        try {
            for (int lease = 0; lease < sizes.leases(); lease++) {
                String id = post(server, "/api/provision", "{\"imageType\":\"web\",\"durationMinutes\":10}")
                        .path("id")
                        .asText();
                String container = ManagedLabels.containerName(new LeaseId(id));
                JsonNode link = post(server, "/api/containers/" + id + "/previews", "{\"port\":8000}");
                URI origin = URI.create(link.path("origin").asText());
                String host = origin.getHost();
                int previewPort = origin.getPort();
                String cookie = signIn(link.path("url").asText(), host);
                awaitApp(previewPort, host, cookie); // the app is up, and this port's relay started
                long t0 = System.nanoTime();
                try (TcpRelay relay = TcpRelay.open(raw, container, 8000)) {
                    request(relay);
                }
                firstRaw.add(ms(t0));
                for (int i = 0; i < sizes.requests(); i++) {
                    t0 = System.nanoTime();
                    request(previewPort, host, cookie);
                    warmService.add(ms(t0));
                }
                try (TcpRelay relay = TcpRelay.open(raw, container, 8000)) {
                    request(relay); // warm it
                    for (int i = 0; i < sizes.requests(); i++) {
                        t0 = System.nanoTime();
                        request(relay);
                        warmRaw.add(ms(t0));
                    }
                }
                firstService.add(firstThroughService(server));
            }
        } finally {
            String instance = server.instanceId();
            server.close();
            for (Container c : docker.listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(ManagedLabels.INSTANCE, instance))
                    .exec()) {
                docker.removeContainerCmd(c.getId())
                        .withForce(true)
                        .withRemoveVolumes(true)
                        .exec();
            }
            streaming.close();
            docker.close();
        }
        String warmDetail = sizes.leases() + " leases x " + sizes.requests()
                + " GET / (a new connection each) through the preview server; baseline: the same request through our"
                + " helper's relay (the engine's exec) from the bench, no service";
        String firstDetail = sizes.leases()
                + " leases, each port's first request (its relay started); baseline: a new relay and one request";
        return List.of(
                BenchResult.of("preview-warm-p50", p(warmService, 50), p(warmRaw, 50), "ms", warmDetail),
                BenchResult.of("preview-warm-p99", p(warmService, 99), p(warmRaw, 99), "ms", warmDetail),
                BenchResult.of("preview-first-p50", p(firstService, 50), p(firstRaw, 50), "ms", firstDetail));
    }

    /** A new lease's first preview request: sign-in, then one GET (its relay starts with it). */
    private double firstThroughService(ServerProcess server) throws Exception {
        String id = post(server, "/api/provision", "{\"imageType\":\"web\",\"durationMinutes\":10}")
                .path("id")
                .asText();
        JsonNode link = post(server, "/api/containers/" + id + "/previews", "{\"port\":8000}");
        URI origin = URI.create(link.path("origin").asText());
        String host = origin.getHost();
        String cookie = signIn(link.path("url").asText(), host);
        // The app starts with its container: wait for it without the service (the relay would be started by it).
        var negotiated = DockerClients.connect(
                BenchServers.config(Map.of(
                                "DATA_DIR", workDir.resolve("preview-config").toString()))
                        .dockerHost(),
                Duration.ofSeconds(60));
        try (DockerClient docker = negotiated.client()) {
            String container = ManagedLabels.containerName(new LeaseId(id));
            for (int i = 0; i < 100; i++) {
                var exec = docker.execCreateCmd(container)
                        .withCmd("wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/")
                        .exec();
                docker.execStartCmd(exec.getId()).start().awaitCompletion();
                Long code = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
                if (code != null && code == 0) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        long t0 = System.nanoTime();
        request(origin.getPort(), host, cookie);
        return ms(t0);
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double p(List<Double> values, int percentile) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }

    private JsonNode post(ServerProcess server, String path, String body) throws IOException, InterruptedException {
        var answer = http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 300) {
            throw new IllegalStateException(path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    private static String signIn(String url, String host) throws IOException {
        URI uri = URI.create(url);
        String head = exchange(uri.getPort(), "GET " + uri.getRawPath() + "?" + uri.getRawQuery(), host, null);
        var match =
                java.util.regex.Pattern.compile("(?i)Set-Cookie: ([^;\r\n]+)").matcher(head);
        if (!match.find()) {
            throw new IllegalStateException("the link set no cookie: " + head);
        }
        return match.group(1);
    }

    private static void awaitApp(int previewPort, String host, String cookie) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (request(previewPort, host, cookie).startsWith("HTTP/1.1 200")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the app never answered through its preview");
    }

    private static String request(int previewPort, String host, String cookie) throws IOException {
        return exchange(previewPort, "GET /", host, cookie);
    }

    /** One request on a new connection to the preview server; the whole answer. */
    private static String exchange(int port, String requestLine, String host, String cookie) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            String request = requestLine + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (cookie == null ? "" : "Cookie: " + cookie + "\r\n") + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** The same request through a relay the bench holds, on a new connection of it. */
    private static void request(TcpRelay relay) throws IOException {
        try (TcpRelay.Connection connection = relay.connect()) {
            OutputStream out = connection.output();
            out.write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = connection.input();
            if (in.readAllBytes().length == 0) {
                throw new IllegalStateException("the raw relay brought nothing back");
            }
        }
    }
}
