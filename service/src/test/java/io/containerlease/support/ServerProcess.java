package io.containerlease.support;

import io.containerlease.cli.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server as a child JVM ({@code containerlease serve}), so a test or the bench can kill -9 it,
 * watch it refuse to start, or read its resident memory. It runs with the heap bound
 * {@code bin/containerlease serve} gives it, so memory figures are the shipped ones. Its output goes
 * to a file in the data directory.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final Path log;
    public final int port;

    private ServerProcess(Process process, Path dataDir, Path log, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code serve} with the given environment (PORT is chosen unless given). */
    public static ServerProcess start(Path dataDir, Map<String, String> env) {
        return start(dataDir, env, List.of());
    }

    /** The same, with more options for the JVM (bin/containerlease's class-data archive, say). */
    public static ServerProcess start(Path dataDir, Map<String, String> env, List<String> jvmOptions) {
        try {
            Files.createDirectories(dataDir);
            // A PORT given is used as it is (a restart on the same port, say; or a bad one, for the tests of bad
            // config).
            int port = env.containsKey("PORT")
                    ? (env.get("PORT").matches("[1-9][0-9]{0,4}") ? Integer.parseInt(env.get("PORT")) : -1)
                    : freePort();
            Path log = Files.createTempFile(dataDir, "server-", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-Xmx1g",
                    "-XX:+ExitOnOutOfMemoryError"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("DATA_DIR", dataDir.toString());
            builder.environment().put("AUTH", "off"); // tests of authentication set AUTH themselves
            builder.environment().put("POOL_MAX_TOTAL", "0"); // the pool's tests ask for one
            // Chosen here, not by the server (PREVIEW_PORT=0): the previews start before the API binds PORT, and the
            // kernel could give them the very port picked above for it.
            builder.environment().put("PREVIEW_PORT", Integer.toString(freePortOtherThan(port)));
            if (port > 0) {
                builder.environment().put("PORT", Integer.toString(port));
            }
            builder.environment().putAll(env);
            return new ServerProcess(builder.start(), dataDir, log, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Waits until /healthz answers 200, failing if the process dies first. */
    public ServerProcess awaitReady(Duration timeout) {
        ApiClient client = new ApiClient(baseUrl());
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (client.get("/healthz").status() == 200) {
                    return this;
                }
            } catch (UncheckedIOException notYet) {
                // not listening yet
            }
            sleep(100);
        }
        throw new IllegalStateException("server not ready after " + timeout + ":\n" + output());
    }

    /** Waits for the process to exit by itself and returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("server still running after " + timeout + ":\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The instance label on this server's containers (read from its store, which allows a second reader). */
    public String instanceId() {
        try (var store = io.containerlease.store.sqlite.SqliteLeaseStore.open(dataDir.resolve("containerlease.db"))) {
            return store.instanceId();
        }
    }

    /** The store's id (the label on its containers) when the server keeps its leases in Redis. */
    public String instanceIdOnRedis(String redisUrl) {
        try (var client = io.lettuce.core.RedisClient.create(redisUrl);
                var connection = client.connect()) {
            return connection.sync().get("containerlease:meta:instance-id");
        }
    }

    /** Resident memory of the server process, in MiB (Linux /proc). */
    public double residentMiB() {
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

    /** SIGSTOP (true) or SIGCONT (false): a process frozen as by a long GC pause or a suspended VM, then thawed. */
    public void freeze(boolean frozen) {
        try {
            int exit = new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(process.pid()))
                    .start()
                    .waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill " + (frozen ? "-STOP" : "-CONT") + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: no shutdown hook, no cleanup, like a crash. */
    public void kill9() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then waits for the orderly stop. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            awaitExit(Duration.ofSeconds(30));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int freePortOtherThan(int taken) throws IOException {
        for (int attempt = 0; ; attempt++) {
            int port = freePort();
            if (port != taken || attempt > 10) {
                return port;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
