package io.containerlease.bench;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TarGz;
import io.containerlease.support.TestDocker;
import io.containerlease.support.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A hostile tenant's floods, each against the same server (a process of its own with -Xmx1g, as
 * bin/containerlease serve runs it), while another user lists their leases: the server's peak
 * resident memory next to its own before the flood, and the other user's GET /api/containers p50
 * next to the same request on the idle server. The goals (issue 23): the server lives through each,
 * peak ≤ 600 MiB, the other user's p50 within 3× of idle.
 */
public final class HostileBench {

    public record Sizes(int floodSeconds, int codeDirMb, int sockets) {
        public static final Sizes QUICK = new Sizes(8, 300, 120);
        public static final Sizes FULL = new Sizes(20, 700, 150);
    }

    private static final String MALLORY = "mallory-bench-token-0123456789";
    private static final String BOB = "bob-bench-token-0123456789";
    private static final String CATALOG = """
            images:
              busybox:
                image: containerlease/busybox:latest
                command: ["sleep", "inf"]
                pullPolicy: never
              tenant:
                image: containerlease/busybox:latest
                command: ["sh", "-c", "while [ ! -f /tmp/program.sh ]; do sleep 0.1; done; exec sh /tmp/program.sh"]
                pullPolicy: never
                channel: true
              app:
                image: containerlease/busybox:latest
                command: ["sleep", "inf"]
                pullPolicy: never
                code: {path: /app, healthCheck: {graceSeconds: 1}}
            """;

    private final Sizes sizes;
    private final Path workDir;

    public HostileBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    /** One flood: started, kept up for the window, stopped. */
    private interface Flood {
        AutoCloseable start() throws Exception;
    }

    public List<BenchResult> run() throws Exception {
        Path dir = Files.createDirectories(workDir.resolve("hostile"));
        Files.writeString(dir.resolve("catalog.yaml"), CATALOG);
        Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - {user: mallory, token: %s, role: user}
                  - {user: bob, token: %s, role: user}
                """.formatted(MALLORY, BOB));
        List<BenchResult> results = new ArrayList<>();
        try (ServerProcess server = BenchServers.start(
                        dir.resolve("data"),
                        Map.of(
                                "AUTH",
                                "tokens",
                                "AUTH_TOKENS_FILE",
                                dir.resolve("tokens.yaml").toString(),
                                "IMAGE_CATALOG",
                                dir.resolve("catalog.yaml").toString()));
                RawDocker raw = new RawDocker("unix:///var/run/docker.sock")) {
            try {
                ApiClient mallory = new ApiClient(server.baseUrl(), MALLORY);
                ApiClient bob = new ApiClient(server.baseUrl(), BOB);
                for (int i = 0; i < 5; i++) {
                    bob.provision("busybox", "durationMinutes", 60);
                }
                window(server, bob, () -> () -> {}); // the server's first requests are the JIT's: unmeasured
                Window idle = window(server, bob, () -> () -> {});
                results.add(BenchResult.of(
                        "hostile-idle-rss",
                        idle.peakMiB,
                        idle.peakMiB,
                        "MiB",
                        "the server with bob's 5 leases, nothing hostile (baseline: itself)"));
                results.addAll(measure(
                        "channel-big-frames",
                        idle,
                        window(server, bob, () -> program(mallory, """
                        head -c 1000000 /dev/zero | tr '\\0' x > /tmp/x
                        printf 'while :; do printf "{\\\\"type\\\\":\\\\"big\\\\",\\\\"payload\\\\":\\\\""; cat /tmp/x; printf "\\\\"}\\\\n"; done\\n' > /tmp/one.sh
                        exec socat UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early 'EXEC:sh /tmp/one.sh'
                        """)),
                        "a program writing 1 MB JSON lines to its channel as fast as it can"));
                results.addAll(measure(
                        "channel-small-frames",
                        idle,
                        window(
                                server,
                                bob,
                                () -> program(
                                        mallory,
                                        "exec socat UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early 'EXEC:yes {\"type\":\"t\",\"payload\":1}'")),
                        "a program writing small frames to its channel as fast as it can"));
                results.addAll(measure(
                        "code-dir",
                        idle,
                        window(server, bob, () -> codeDirectory(mallory)),
                        sizes.codeDirMb() + " MB written into /app, then code updates in a loop (each refused 413)"));
                results.addAll(measure(
                        "connections",
                        idle,
                        window(server, bob, () -> connections(server)),
                        sizes.sockets() + " event WebSockets and " + sizes.sockets()
                                + " SSE streams asked for (50 may be open)"));
            } finally {
                raw.removeInstance(server.instanceId());
            }
        }
        return results;
    }

    private static List<BenchResult> measure(String name, Window idle, Window flood, String what) {
        return List.of(
                BenchResult.of(
                        "hostile-" + name + "-peak-rss",
                        flood.peakMiB,
                        idle.peakMiB,
                        "MiB",
                        what + "; peak resident memory (goal ≤ 600 MiB) vs idle"
                                + (flood.alive ? "" : "; THE SERVER DIED")),
                BenchResult.of(
                        "hostile-" + name + "-other-user-list-p50",
                        flood.listP50Ms,
                        idle.listP50Ms,
                        "ms",
                        "another user's GET /api/containers meanwhile vs idle (goal ≤ 3×)"));
    }

    private record Window(double peakMiB, double listP50Ms, boolean alive) {}

    /** Runs the flood for the window while bob lists his leases, sampling the server's resident memory. */
    private Window window(ServerProcess server, ApiClient bob, Flood flood) throws Exception {
        List<Double> listMs = new ArrayList<>();
        double peak = server.residentMiB();
        boolean alive = true;
        try (AutoCloseable running = flood.start()) {
            long end =
                    System.nanoTime() + Duration.ofSeconds(sizes.floodSeconds()).toNanos();
            long nextSample = 0;
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                try {
                    ApiClient.Response r = bob.get("/api/containers");
                    if (r.status() == 200) {
                        listMs.add((System.nanoTime() - t0) / 1e6);
                    }
                } catch (RuntimeException e) {
                    alive = false;
                    break;
                }
                if (System.nanoTime() >= nextSample) {
                    peak = Math.max(peak, server.residentMiB());
                    nextSample = System.nanoTime() + 250_000_000L;
                }
                Thread.sleep(20);
            }
        }
        return new Window(peak, listMs.isEmpty() ? Double.NaN : Percentiles.of(listMs, 50), alive);
    }

    /** A lease of mallory's running {@code script} as its program (the tenant's own code, as a shell would put it there). */
    private static AutoCloseable program(ApiClient mallory, String script) throws Exception {
        String id = mallory.provision("tenant", "durationMinutes", 30);
        TestDocker.exec(
                container(id),
                "cat > /tmp/p.tmp <<'PROGRAM'\n" + script + "\nPROGRAM\nmv /tmp/p.tmp /tmp/program.sh",
                Duration.ofSeconds(20));
        return () -> mallory.delete("/api/containers/" + id);
    }

    private AutoCloseable codeDirectory(ApiClient mallory) throws Exception {
        String id = mallory.provision("app", "durationMinutes", 30);
        TestDocker.exec(
                container(id),
                "dd if=/dev/zero of=/app/fill bs=1M count=" + sizes.codeDirMb() + " 2>/dev/null; sync",
                Duration.ofMinutes(2));
        AtomicBoolean going = new AtomicBoolean(true);
        byte[] archive = TarGz.archive().file("start.sh", "exec sleep inf").bytes();
        Thread updates = Thread.ofVirtual().start(() -> {
            while (going.get()) {
                mallory.sendBytes("PUT", "/api/containers/" + id + "/code", archive, "application/gzip");
            }
        });
        return () -> {
            going.set(false);
            updates.join();
            mallory.delete("/api/containers/" + id);
        };
    }

    private AutoCloseable connections(ServerProcess server) {
        List<WsClient> sockets = new ArrayList<>();
        List<HttpResponse<?>> streams = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < sizes.sockets(); i++) {
            try {
                sockets.add(
                        WsClient.connect(server.baseUrl(), "/ws/events", Map.of("Authorization", "Bearer " + MALLORY)));
            } catch (RuntimeException refusedUpgrade) {
                // refused: what the cap is for
            }
            try {
                streams.add(http.send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/events"))
                                .header("Accept", "text/event-stream")
                                .header("Authorization", "Bearer " + MALLORY)
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream()));
            } catch (Exception refused) {
                // refused: what the cap is for
            }
        }
        return () -> {
            sockets.forEach(WsClient::close);
            for (HttpResponse<?> stream : streams) {
                if (stream.body() instanceof java.io.InputStream in) {
                    in.close();
                }
            }
        };
    }

    private static String container(String id) {
        return ManagedLabels.containerName(new LeaseId(id));
    }
}
