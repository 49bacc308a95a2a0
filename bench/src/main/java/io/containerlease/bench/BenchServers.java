package io.containerlease.bench;

import io.containerlease.config.ServiceConfig;
import io.containerlease.support.RunLabels;
import io.containerlease.support.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What every server and container the bench makes has in common with the ones the operator's own
 * service makes: the CONTAINER_LABELS of the bench's environment, so an operator (or bin/test) can
 * tell the bench's containers apart on a shared engine.
 */
final class BenchServers {
    private BenchServers() {}

    /** What a bench server may do without being the limit itself: quiet logs, no quota, no rate limit. */
    private static final Map<String, String> UNLIMITED = Map.of(
            "AUTH",
            "off",
            "LOG_LEVEL",
            "warn",
            "MAX_LEASES_PER_USER",
            "100000",
            "MAX_LEASES",
            "100000",
            "RATE_LIMIT_PER_MINUTE",
            "1000000");

    /** A server of its own, as a process (it inherits CONTAINER_LABELS), ready to answer. */
    static ServerProcess start(Path dataDir, Map<String, String> env) {
        return startUnready(dataDir, env).awaitReady(Duration.ofSeconds(90));
    }

    /** The same, returned as soon as the process is spawned (for timing its start), with more options for its JVM. */
    static ServerProcess startUnready(Path dataDir, Map<String, String> env, java.util.List<String> jvmOptions) {
        Map<String, String> all = new HashMap<>(UNLIMITED);
        all.putAll(env);
        return ServerProcess.start(dataDir, all, jvmOptions);
    }

    static ServerProcess startUnready(Path dataDir, Map<String, String> env) {
        return startUnready(dataDir, env, java.util.List.of());
    }

    /** An in-process server's configuration: the bench's defaults (no auth, no quotas), {@code env}, and the bench's own CONTAINER_LABELS. */
    static ServiceConfig config(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(UNLIMITED);
        all.putAll(env);
        return ServiceConfig.fromEnvironment(RunLabels.with(all));
    }
}
