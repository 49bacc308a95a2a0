package io.containerlease.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.support.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * Files through the API next to {@code docker exec} moving the same bytes, interleaved on one
 * container in one run: a download ({@code GET …/files}) against {@code docker exec C cat FILE}, an
 * upload ({@code PUT …/files}) against {@code docker exec -i C sh -c 'cat > FILE'}, each read or fed
 * by the bench at full speed. Rates in MiB/s; a ratio above 1 is faster than the engine.
 */
public final class FilesBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How much to measure. */
    public record Sizes(int mebibytes, int rounds) {
        public static final Sizes SMOKE = new Sizes(4, 1);
        public static final Sizes QUICK = new Sizes(64, 2);
        public static final Sizes FULL = new Sizes(200, 9);
    }

    private final Sizes sizes;
    private final Path workDir;
    private final HttpClient http = HttpClient.newHttpClient();

    public FilesBench(Sizes sizes, Path workDir) {
        this.sizes = sizes;
        this.workDir = workDir;
    }

    /** Starts its own server (own data directory and port), measures, and removes everything it made. */
    public List<BenchResult> run() throws Exception {
        Path catalog = Files.writeString(workDir.resolve("files-catalog.yaml"), """
                images:
                  busybox:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                """);
        // A server process of its own, as it is deployed: the bench's client does not share its JVM.
        ServerProcess server =
                BenchServers.start(workDir.resolve("files-data"), Map.of("IMAGE_CATALOG", catalog.toString()));
        var negotiated = DockerClients.connect(
                BenchServers.config(Map.of(
                                "DATA_DIR", workDir.resolve("files-config").toString()))
                        .dockerHost(),
                Duration.ofSeconds(60));
        DockerClient docker = negotiated.client();
        Path local = workDir.resolve("files-bench.bin");
        try {
            writeRandom(local, (long) sizes.mebibytes() << 20);
            String id = JSON.readTree(http.send(
                                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/provision"))
                                            .header("Content-Type", "application/json")
                                            .POST(HttpRequest.BodyPublishers.ofString(
                                                    "{\"imageType\":\"busybox\",\"durationMinutes\":30}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .path("id")
                    .asText();
            String container = ManagedLabels.containerName(new LeaseId(id));
            String files = server.baseUrl() + "/api/containers/" + id + "/files?path=";
            List<Double> downService = new ArrayList<>();
            List<Double> downRaw = new ArrayList<>();
            List<Double> upService = new ArrayList<>();
            List<Double> upRaw = new ArrayList<>();
            long bytes = Files.size(local);
            // Round 0 warms both paths up (the server's code is compiled as it runs) and is not counted.
            for (int round = 0; round <= sizes.rounds(); round++) {
                long t0 = System.nanoTime();
                var put = http.send(
                        HttpRequest.newBuilder(URI.create(files + "/tmp/api.bin"))
                                .PUT(HttpRequest.BodyPublishers.ofFile(local))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (put.statusCode() != 201) {
                    throw new IllegalStateException("an upload answered " + put.statusCode() + ": " + put.body());
                }
                record(round, upService, rate(bytes, t0));
                t0 = System.nanoTime();
                run(docker("exec", "-i", container, "sh", "-c", "cat > /tmp/raw.bin")
                        .redirectInput(local.toFile()));
                record(round, upRaw, rate(bytes, t0));

                t0 = System.nanoTime();
                var get = http.send(
                        HttpRequest.newBuilder(URI.create(files + "/tmp/api.bin"))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                long got;
                try (InputStream in = get.body()) {
                    got = in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                if (get.statusCode() != 200 || got != bytes) {
                    throw new IllegalStateException(
                            "a download answered " + get.statusCode() + " with " + got + " bytes");
                }
                record(round, downService, rate(bytes, t0));
                t0 = System.nanoTime();
                run(docker("exec", container, "cat", "/tmp/raw.bin").redirectOutput(ProcessBuilder.Redirect.DISCARD));
                record(round, downRaw, rate(bytes, t0));
            }
            String detail = sizes.rounds() + " rounds of " + sizes.mebibytes()
                    + " MiB after one to warm up, interleaved, median; baseline: ";
            return List.of(
                    BenchResult.of(
                            "files-download-MiB-per-s",
                            median(downService),
                            median(downRaw),
                            "MiB/s",
                            detail + "docker exec C cat FILE"),
                    BenchResult.of(
                            "files-upload-MiB-per-s",
                            median(upService),
                            median(upRaw),
                            "MiB/s",
                            detail + "docker exec -i C sh -c 'cat > FILE'"));
        } finally {
            String instance = server.instanceId();
            server.close();
            Files.deleteIfExists(local);
            for (Container c : docker.listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(ManagedLabels.INSTANCE, instance))
                    .exec()) {
                docker.removeContainerCmd(c.getId())
                        .withForce(true)
                        .withRemoveVolumes(true)
                        .exec();
            }
            docker.close();
        }
    }

    private static ProcessBuilder docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    private static void run(ProcessBuilder process) throws IOException, InterruptedException {
        int exit = process.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", process.command()) + " exited with " + exit);
        }
    }

    private static void record(int round, List<Double> into, double rate) {
        if (round > 0) {
            into.add(rate);
        }
    }

    private static double rate(long bytes, long startedNanos) {
        return (bytes / (1024.0 * 1024.0)) / ((System.nanoTime() - startedNanos) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void writeRandom(Path file, long size) throws IOException {
        var random = new java.util.Random(42);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }
}
