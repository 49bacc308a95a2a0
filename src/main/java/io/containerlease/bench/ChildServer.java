package io.containerlease.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;

/**
 * A server in its own JVM, started from this one's classpath: the bench kills it with SIGKILL for
 * the chaos run and reads its resident memory for the footprint.
 */
final class ChildServer implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    final int port;

    private ChildServer(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    static ChildServer start(Path dataDir, Map<String, String> env) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // The heap bound bin/containerlease serve gives the server, so memory figures are the shipped ones.
                "-Xmx1g", "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.containerlease.cli.Main", "serve"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
        builder.environment().putAll(Map.of("DATA_DIR", dataDir.toString(), "PORT", Integer.toString(port), "AUTH", "off",
                "LOG_LEVEL", "warn", "MAX_LEASES_PER_USER", "100000", "MAX_LEASES", "100000", "RATE_LIMIT_PER_MINUTE", "1000000"));
        builder.environment().putAll(env);
        ChildServer child = new ChildServer(builder.start(), dataDir, port);
        child.awaitReady();
        return child;
    }

    /** The instance label on this server's containers (read from its store, which allows a second reader). */
    String instanceId() {
        try (var store = io.containerlease.store.sqlite.SqliteLeaseStore.open(dataDir.resolve("containerlease.db"))) {
            return store.instanceId();
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the bench server exited with " + process.exitValue());
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/healthz")).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new IllegalStateException("the bench server did not become ready");
    }

    /** Resident memory of the server process, in MiB (Linux /proc). */
    double residentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Double.NaN;
    }

    /** SIGKILL, like a crash: no shutdown hook runs. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
