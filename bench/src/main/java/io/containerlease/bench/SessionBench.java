package io.containerlease.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import io.containerlease.ContainerLeaseServer;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.runtime.docker.DockerContainerStreams;
import io.containerlease.support.WsClient;
import java.io.IOException;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live-session figures next to raw Docker, measured in one run on one engine: terminal echo round
 * trip (a keystroke through the WebSocket terminal vs through a docker-java TTY exec, interleaved
 * on the same container) and log lines per second delivered to one reader (the WebSocket log stream
 * vs a docker-java follow of the same container's log, i.e. {@code docker logs -f}).
 */
public final class SessionBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** How much to measure. */
    public record Sizes(int keystrokes, int logLines, int logRounds) {
        public static final Sizes SMOKE = new Sizes(5, 200, 1);
        public static final Sizes QUICK = new Sizes(100, 20_000, 1);
        public static final Sizes FULL = new Sizes(500, 100_000, 3);
    }

    private final Sizes sizes;
    private final Path workDir;
    private final HttpClient http = HttpClient.newHttpClient();

    public SessionBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    /** Starts its own server (own data directory and port), measures, and removes everything it made. */
    public List<BenchResult> run() throws Exception {
        Path catalog = Files.writeString(workDir.resolve("bench-catalog.yaml"), """
                images:
                  busybox:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                  bench-echo:
                    image: containerlease/busybox:latest
                    command: ["socat", "UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early", "EXEC:cat"]
                    pullPolicy: never
                    channel: true
                  bench-logs:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "seq 1 %d; exec sleep inf"]
                    pullPolicy: never
                """.formatted(sizes.logLines()));
        ServiceConfig config = BenchServers.config(Map.of(
                "PORT",
                "0",
                "AUTH",
                "off",
                "DATA_DIR",
                workDir.resolve("data").toString(),
                "IMAGE_CATALOG",
                catalog.toString(),
                // The buffer holds every line, so a reader that is slower than the engine is measured, not cut off.
                "LOG_BUFFER_LINES",
                Integer.toString(Math.max(100, sizes.logLines())),
                "LOG_BUFFER_BYTES",
                Long.toString(256L << 20),
                "MAX_LEASES_PER_USER",
                "100000",
                "MAX_LEASES",
                "100000",
                "RATE_LIMIT_PER_MINUTE",
                "1000000"));
        var negotiated = DockerClients.connect(config.dockerHost(), Duration.ofSeconds(60));
        DockerClient streaming = DockerClients.streaming(config.dockerHost(), negotiated);
        ContainerLeaseServer server = ContainerLeaseServer.start(config);
        try {
            List<BenchResult> results = new ArrayList<>(terminalEcho(server, new DockerContainerStreams(streaming)));
            results.addAll(channelEcho(server, new DockerContainerStreams(streaming)));
            results.addAll(logThroughput(server, streaming));
            return results;
        } finally {
            server.close();
            for (Container c : negotiated
                    .client()
                    .listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(ManagedLabels.INSTANCE, server.instanceId()))
                    .exec()) {
                negotiated
                        .client()
                        .removeContainerCmd(c.getId())
                        .withForce(true)
                        .withRemoveVolumes(true)
                        .exec();
            }
            streaming.close();
            negotiated.client().close();
        }
    }

    /**
     * A message to the program inside and its reply (an echo), through the API (POST …/messages),
     * next to the same frame through the same relay the service runs (our helper in the container,
     * by the engine's exec), without the service around it.
     */
    private List<BenchResult> channelEcho(ContainerLeaseServer server, ContainerStreams raw) throws Exception {
        String id = provision(server, "bench-echo");
        String container = ManagedLabels.containerName(new LeaseId(id));
        String messages = server.baseUrl() + "/api/containers/" + id + "/messages";
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!JSON.readTree(get(server, "/api/containers/" + id + "/channel"))
                .path("connected")
                .asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the bench's echo program never listened");
            }
            Thread.sleep(50);
        }
        var replies = new java.util.concurrent.LinkedBlockingQueue<byte[]>();
        var frames = new io.containerlease.helper.HelperFrames.Reader((type, payload) -> {
            if (type == io.containerlease.helper.HelperFrames.MESSAGE) {
                replies.add(payload);
            }
        });
        List<Double> serviceMs = new ArrayList<>();
        List<Double> baselineMs = new ArrayList<>();
        try (ContainerStreams.Duplex relay = raw.openDuplex(
                container,
                List.of(
                        io.containerlease.helper.HelperBinary.PATH,
                        "relay-unix",
                        io.containerlease.lease.ImageSpec.CHANNEL_SOCKET),
                new ContainerStreams.ExecOutput() {
                    @Override
                    public void stdout(byte[] data) {
                        try {
                            frames.accept(data);
                        } catch (io.containerlease.helper.HelperFrames.ProtocolException e) {
                            throw new IllegalStateException(e);
                        }
                    }

                    @Override
                    public void stderr(byte[] data) {}

                    @Override
                    public void exited(java.util.OptionalInt status) {}
                })) {
            Thread.sleep(500); // connected
            for (int i = 0; i < sizes.keystrokes(); i++) {
                long t0 = System.nanoTime();
                var answer = http.send(
                        HttpRequest.newBuilder(URI.create(messages))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"n\":" + i + "}}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException("a message answered " + answer.statusCode() + ": " + answer.body());
                }
                serviceMs.add((System.nanoTime() - t0) / 1e6);

                t0 = System.nanoTime();
                relay.write(io.containerlease.helper.HelperFrames.message(
                        ("{\"id\":\"r" + i + "\",\"payload\":{\"n\":" + i + "}}\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                if (replies.poll(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) == null) {
                    throw new IllegalStateException("the raw relay got no echo");
                }
                baselineMs.add((System.nanoTime() - t0) / 1e6);
            }
        }
        release(server, id);
        String detail = sizes.keystrokes()
                + " request/replies, interleaved; baseline: the same relay (our helper by docker exec) "
                + "without the service (before the helper, through a host socket, the service's p50 was ~15 ms)";
        return List.of(
                BenchResult.of(
                        "channel-message-p50",
                        Percentiles.of(serviceMs, 50),
                        Percentiles.of(baselineMs, 50),
                        "ms",
                        detail),
                BenchResult.of(
                        "channel-message-p99",
                        Percentiles.of(serviceMs, 99),
                        Percentiles.of(baselineMs, 99),
                        "ms",
                        detail));
    }

    private String get(ContainerLeaseServer server, String path) throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private List<BenchResult> terminalEcho(ContainerLeaseServer server, ContainerStreams raw) throws Exception {
        String id = provision(server, "busybox");
        String container = ManagedLabels.containerName(new LeaseId(id));
        RawShell baseline = new RawShell();
        List<Double> serviceMs = new ArrayList<>();
        List<Double> baselineMs = new ArrayList<>();
        List<Double> pingMs = new ArrayList<>();
        try (WsClient service = WsClient.streaming(ws(server, "/ws/terminal/" + id), text -> {});
                ContainerStreams.Shell shell = raw.openShell(container, List.of("/bin/sh"), 80, 24, baseline)) {
            settle(service::outputLength);
            settle(baseline.bytes::get);
            for (int i = 0; i < sizes.keystrokes(); i++) {
                if (i % 60 == 59) { // keep the line short: Ctrl-U clears it, unmeasured
                    service.sendBytes(new byte[] {0x15});
                    shell.write(new byte[] {0x15});
                    settle(service::outputLength);
                    settle(baseline.bytes::get);
                }
                int before = service.outputLength();
                long t0 = System.nanoTime();
                service.sendBytes(new byte[] {'a'});
                service.awaitBytes(before + 1, WAIT);
                serviceMs.add((System.nanoTime() - t0) / 1e6);

                t0 = System.nanoTime();
                service.ping(WAIT);
                pingMs.add((System.nanoTime() - t0) / 1e6);

                long rawBefore = baseline.bytes.get();
                t0 = System.nanoTime();
                shell.write(new byte[] {'a'});
                baseline.awaitBytes(rawBefore + 1);
                baselineMs.add((System.nanoTime() - t0) / 1e6);
            }
        }
        release(server, id);
        String detail =
                sizes.keystrokes() + " keystrokes, interleaved; baseline: docker-java TTY exec (docker exec -it)";
        return List.of(
                BenchResult.of(
                        "terminal-echo-p50",
                        Percentiles.of(serviceMs, 50),
                        Percentiles.of(baselineMs, 50),
                        "ms",
                        detail),
                BenchResult.of(
                        "terminal-echo-p99",
                        Percentiles.of(serviceMs, 99),
                        Percentiles.of(baselineMs, 99),
                        "ms",
                        detail),
                BenchResult.of(
                        "websocket-ping-p50",
                        Percentiles.of(pingMs, 50),
                        Percentiles.of(serviceMs, 50),
                        "ms",
                        "a WebSocket ping answered by Jetty itself on the same connection, interleaved; baseline: the"
                                + " service's keystroke echo (ratio: the share of an echo that is the WebSocket round trip alone)"));
    }

    /** One frame per line (the default) and {@code ?batch=true}, each against a raw follow in the same round. */
    private List<BenchResult> logThroughput(ContainerLeaseServer server, DockerClient streaming) throws Exception {
        List<Double> serviceRates = new ArrayList<>();
        List<Double> batchedRates = new ArrayList<>();
        List<Double> baselineRates = new ArrayList<>();
        long[] dropped = new long[2];
        // Round 0 warms both paths up (the JIT compiles the service's per-line code there) and is not counted.
        for (int round = 0; round <= sizes.logRounds(); round++) {
            if (round == 1) {
                serviceRates.clear();
                batchedRates.clear();
                baselineRates.clear();
                dropped[0] = dropped[1] = 0;
            }
            // A fresh lease per reader, so the service always starts its own Docker follow.
            String id = provision(server, "bench-logs");
            String batchedId = provision(server, "bench-logs");
            String container = ManagedLabels.containerName(new LeaseId(id));
            awaitLogged(streaming, container);
            awaitLogged(streaming, ManagedLabels.containerName(new LeaseId(batchedId)));
            if (round % 2 == 0) {
                baselineRates.add(rawFollow(streaming, container));
                serviceRates.add(serviceFollow(server, id, false, dropped));
                batchedRates.add(serviceFollow(server, batchedId, true, dropped));
            } else {
                batchedRates.add(serviceFollow(server, batchedId, true, dropped));
                serviceRates.add(serviceFollow(server, id, false, dropped));
                baselineRates.add(rawFollow(streaming, container));
            }
            release(server, id);
            release(server, batchedId);
        }
        String detail = sizes.logLines() + " lines, median of " + sizes.logRounds()
                + " rounds after a warm-up round; baseline: docker-java follow (docker logs -f)";
        double baseline = Percentiles.of(baselineRates, 50);
        return List.of(
                BenchResult.of(
                        "log-lines-per-second",
                        Percentiles.of(serviceRates, 50),
                        baseline,
                        "lines/s",
                        detail + "; one frame per line" + droppedNote(dropped[0])),
                BenchResult.of(
                        "log-lines-per-second-batched",
                        Percentiles.of(batchedRates, 50),
                        baseline,
                        "lines/s",
                        detail + "; ?batch=true (as the console reads)" + droppedNote(dropped[1])));
    }

    private static String droppedNote(long dropped) {
        return dropped == 0 ? "" : "; " + dropped + " lines dropped for a slow reader (not counted)";
    }

    /**
     * Lines delivered per second, from connecting to the last line; lines the server dropped for a
     * reader it found too slow are added to {@code dropped[batch ? 1 : 0]} and not counted as delivered.
     */
    private double serviceFollow(ContainerLeaseServer server, String id, boolean batch, long[] dropped)
            throws Exception {
        CountDownLatch all = new CountDownLatch(1);
        long target = sizes.logLines();
        String last = "{\"seq\":" + target + ",";
        AtomicLong delivered = new AtomicLong();
        long t0 = System.nanoTime();
        try (WsClient probe = WsClient.streaming(ws(server, "/ws/logs/" + id + (batch ? "?batch=true" : "")), text -> {
            int lines = 0;
            for (int at = text.indexOf("{\"seq\":"); at >= 0; at = text.indexOf("{\"seq\":", at + 7)) {
                lines++;
            }
            delivered.addAndGet(lines);
            if (text.contains(last)) {
                all.countDown();
            }
        })) {
            if (!all.await(WAIT.toSeconds() * 4, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the log stream did not deliver " + target + " lines");
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        dropped[batch ? 1 : 0] += target - delivered.get();
        return delivered.get() / seconds;
    }

    private double rawFollow(DockerClient streaming, String container) throws Exception {
        CountDownLatch all = new CountDownLatch(1);
        AtomicLong lines = new AtomicLong();
        long t0 = System.nanoTime();
        try (var callback = streaming
                .logContainerCmd(container)
                .withStdOut(true)
                .withStdErr(true)
                .withFollowStream(true)
                .withTimestamps(true)
                .withTailAll()
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        for (byte b : frame.getPayload()) {
                            if (b == '\n' && lines.incrementAndGet() == sizes.logLines()) {
                                all.countDown();
                            }
                        }
                    }
                })) {
            if (!all.await(WAIT.toSeconds() * 4, TimeUnit.SECONDS)) {
                throw new IllegalStateException("docker logs -f did not deliver " + sizes.logLines() + " lines");
            }
        }
        return sizes.logLines() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Waits until the container has written all its lines, so both readers start from the same log. */
    private void awaitLogged(DockerClient streaming, String container) throws Exception {
        String last = Integer.toString(sizes.logLines());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            StringBuilder tail = new StringBuilder();
            streaming
                    .logContainerCmd(container)
                    .withStdOut(true)
                    .withTail(1)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            tail.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    })
                    .awaitCompletion(5, TimeUnit.SECONDS);
            if (tail.toString().trim().equals(last)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(container + " did not log " + last + " lines");
    }

    private String provision(ContainerLeaseServer server, String imageType) throws IOException, InterruptedException {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/provision"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"imageType\":\"" + imageType + "\",\"durationMinutes\":30}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("provisioning failed: " + response.body());
        }
        JsonNode lease = JSON.readTree(response.body());
        return lease.get("id").asText();
    }

    private void release(ContainerLeaseServer server, String id) throws IOException, InterruptedException {
        http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/containers/" + id))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private static String ws(ContainerLeaseServer server, String path) {
        return server.baseUrl().replaceFirst("^http", "ws") + path;
    }

    /** Waits until a byte counter has stopped moving (the prompt is drawn). */
    private static void settle(java.util.function.LongSupplier counter) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        long last = -1;
        long now = counter.getAsLong();
        while ((now != last || now == 0) && System.nanoTime() < deadline) {
            last = now;
            Thread.sleep(150);
            now = counter.getAsLong();
        }
    }

    /** The raw exec's output side: counts bytes and wakes the measuring thread. */
    private static final class RawShell implements ContainerStreams.ShellOutput {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public synchronized void bytes(byte[] data) {
            bytes.addAndGet(data.length);
            notifyAll();
        }

        @Override
        public void exited(java.util.OptionalInt status) {}

        synchronized void awaitBytes(long length) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (bytes.get() < length) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the raw shell did not echo within " + WAIT);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
