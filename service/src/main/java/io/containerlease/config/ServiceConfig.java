package io.containerlease.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the service reads from its environment, validated once at start.
 *
 * <p>{@link #fromEnvironment(Map)} collects every problem before failing, so a user fixes a bad
 * configuration in one go instead of one variable per restart.
 */
public record ServiceConfig(
        String host,
        int port,
        Path dataDir,
        String dockerHost,
        Optional<Path> imageCatalog,
        Duration leaseMin,
        Duration leaseMax,
        Duration reconcileInterval,
        int reapConcurrency,
        Duration imagePullTimeout,
        Duration expiryWarning,
        int logBufferLines,
        int terminalBufferBytes,
        String logLevel,
        LogFormat logFormat,
        AuthMode auth,
        Optional<Path> authTokensFile,
        int maxLeasesPerUser,
        int maxLeasesPerAdmin,
        int maxLeases,
        int rateLimitPerMinute,
        List<Cidr> trustedProxies,
        List<String> allowedOrigins,
        List<String> allowedHosts,
        Map<String, String> containerLabels,
        Duration retention,
        long logBufferBytes,
        long logBufferTotalBytes,
        Duration terminalDetached,
        ConnectionLimits connectionLimits,
        long codeMaxBytes,
        long filesMaxBytes,
        Optional<String> redisUrl,
        Duration heartbeat,
        OrphanPolicy orphanPolicy,
        int poolMaxTotal,
        boolean poolDrainOnStop,
        long eventHistoryBytes,
        Duration deadmanMargin,
        Duration poolMaxWait,
        RuntimeChoice runtime,
        PreviewChoice previews) {

    public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

    public enum LogFormat {
        JSON,
        TEXT
    }

    /**
     * Which containers of the cluster without a live lease the reconciler removes: {@code conservative}
     * only those this server made or whose server is no longer alive; {@code aggressive} all of them.
     */
    public enum OrphanPolicy {
        CONSERVATIVE,
        AGGRESSIVE
    }

    /**
     * WebSocket connections allowed per user, per lease and in all; a total of 0 means "derive it
     * from the process's file-descriptor limit at start".
     */
    public record ConnectionLimits(int perUser, int perLease, int total) {}

    /** {@code tokens}: every request names its user with a bearer token; {@code off}: everyone is an admin (loopback only). */
    public enum AuthMode {
        OFF,
        TOKENS
    }

    public ServiceConfig {
        if (leaseMin.compareTo(leaseMax) > 0) {
            throw new ConfigException("LEASE_MIN_SECONDS must not exceed LEASE_MAX_MINUTES");
        }
    }

    public static ServiceConfig fromEnvironment(Map<String, String> env) {
        var reader = new EnvReader(env);
        String host = reader.string("HOST", "127.0.0.1");
        int port = (int) reader.integer("PORT", 8080, 0, 65_535);
        Path dataDir = Path.of(reader.string("DATA_DIR", "./data"));
        String dockerHost = reader.string("DOCKER_HOST", DEFAULT_DOCKER_HOST);
        if (!dockerHost.matches("(unix|tcp|npipe)://.+")) {
            reader.problem(
                    "DOCKER_HOST: '" + dockerHost + "' must look like unix:///var/run/docker.sock or tcp://host:2375");
        }
        Optional<Path> catalog = Optional.ofNullable(env.get("IMAGE_CATALOG"))
                .filter(s -> !s.isBlank())
                .map(Path::of);
        long minSeconds = reader.integer("LEASE_MIN_SECONDS", 1, 1, 31L * 24 * 3600);
        long maxMinutes = reader.integer("LEASE_MAX_MINUTES", 1440, 1, 366L * 24 * 60);
        Duration reconcile = reconcileInterval(reader);
        int reapConcurrency = (int) reader.integer("REAP_CONCURRENCY", 8, 1, 256);
        long pullSeconds = reader.integer("IMAGE_PULL_TIMEOUT_SECONDS", 300, 1, 24 * 3600);
        long warningSeconds = reader.integer("EXPIRY_WARNING_SECONDS", 60, 1, 24 * 3600);
        int logLines = (int) reader.integer("LOG_BUFFER_LINES", 10_000, 100, 1_000_000);
        int terminalBytes = (int) reader.integer("TERMINAL_BUFFER_BYTES", 1 << 20, 1 << 20, 64 << 20);
        String logLevel = reader.choice("LOG_LEVEL", "info", List.of("trace", "debug", "info", "warn", "error"));
        LogFormat logFormat = LogFormat.valueOf(
                reader.choice("LOG_FORMAT", "text", List.of("json", "text")).toUpperCase(Locale.ROOT));
        String auth = reader.choice("AUTH", "tokens", List.of("off", "tokens"));
        if (auth.equals("off") && !isLoopback(host)) {
            reader.problem("AUTH=off is only allowed while HOST is a loopback address (it is " + host + ")");
        }
        Optional<Path> tokensFile = Optional.ofNullable(env.get("AUTH_TOKENS_FILE"))
                .filter(v -> !v.isBlank())
                .map(Path::of);
        int perUser = (int) reader.integer("MAX_LEASES_PER_USER", 5, 1, 100_000);
        int total = (int) reader.integer("MAX_LEASES", 50, 1, 1_000_000);
        // An admin runs leases for others (a trainer's lab): held to the service's total unless told otherwise.
        int perAdmin = (int) reader.integer("MAX_LEASES_PER_ADMIN", total, 1, 1_000_000);
        int ratePerMinute = (int) reader.integer("RATE_LIMIT_PER_MINUTE", 600, 1, 1_000_000);
        List<Cidr> proxies = new ArrayList<>();
        for (String raw : reader.list("TRUSTED_PROXIES")) {
            try {
                proxies.add(Cidr.parse(raw));
            } catch (IllegalArgumentException e) {
                reader.problem("TRUSTED_PROXIES: " + e.getMessage());
            }
        }
        List<String> origins = reader.list("ALLOWED_ORIGINS");
        List<String> hosts = reader.list("ALLOWED_HOSTS");
        Map<String, String> labels = Map.of();
        try {
            labels = ContainerLabels.parse(env.get("CONTAINER_LABELS"));
        } catch (IllegalArgumentException e) {
            reader.problem("CONTAINER_LABELS: " + e.getMessage());
        }
        long retentionDays = reader.integer("RETENTION_DAYS", 30, 1, 3650);
        long logBytes = reader.integer("LOG_BUFFER_BYTES", 1 << 20, 64 << 10, 256L << 20);
        long logTotalBytes = reader.integer("LOG_BUFFER_TOTAL_BYTES", 256L << 20, 1 << 20, 64L << 30);
        if (logTotalBytes < logBytes) {
            reader.problem(
                    "LOG_BUFFER_TOTAL_BYTES (" + logTotalBytes + ") is below LOG_BUFFER_BYTES (" + logBytes + ")");
        }
        long detachedSeconds = reader.integer("TERMINAL_DETACHED_SECONDS", 900, 10, 7L * 24 * 3600);
        var connectionLimits = new ConnectionLimits(
                (int) reader.integer("WS_MAX_PER_USER", 50, 1, 100_000),
                (int) reader.integer("WS_MAX_PER_LEASE", 20, 1, 10_000),
                (int) reader.integer("WS_MAX_TOTAL", 0, 0, 1_000_000));
        long codeMaxBytes = reader.integer("CODE_MAX_BYTES", 16L << 20, 1024, 1L << 30);
        long filesMaxBytes = reader.integer("FILES_MAX_BYTES", 1L << 30, 1024, 1L << 40);
        String store = reader.string("STORE", "sqlite");
        Optional<String> redisUrl = Optional.empty();
        if (store.startsWith("redis://") || store.startsWith("rediss://")) {
            redisUrl = Optional.of(store);
        } else if (!store.equals("sqlite")) {
            reader.problem("STORE: '" + store
                    + "' is neither 'sqlite' nor a Redis URL (redis://[:password@]host:port[/db], rediss:// for TLS)");
        }
        long heartbeatSeconds = reader.integer("HEARTBEAT_SECONDS", 2, 1, 60);
        OrphanPolicy orphanPolicy = OrphanPolicy.valueOf(
                reader.choice("ORPHAN_POLICY", "conservative", List.of("conservative", "aggressive"))
                        .toUpperCase(Locale.ROOT));
        // Warm pool containers are not leases, so MAX_LEASES does not count them: this caps them, over all image types.
        int poolMaxTotal = (int) reader.integer("POOL_MAX_TOTAL", 16, 0, 10_000);
        boolean poolDrainOnStop = reader.choice("POOL_DRAIN_ON_STOP", "false", List.of("true", "false"))
                .equals("true");
        long eventHistoryBytes = reader.integer("EVENT_HISTORY_BYTES", 16L << 20, 1 << 20, 4L << 30);
        long deadmanMarginSeconds = reader.integer("DEADMAN_MARGIN_SECONDS", 60, 0, 24 * 3600);
        long poolMaxWaitMinutes = reader.integer("POOL_MAX_WAIT_MINUTES", 60, 1, 7 * 24 * 60);
        RuntimeChoice runtime = runtimeChoice(reader);
        PreviewChoice previews = previewChoice(reader);
        if (minSeconds > maxMinutes * 60) {
            reader.problem("LEASE_MIN_SECONDS (" + minSeconds + ") exceeds LEASE_MAX_MINUTES (" + maxMinutes + " min)");
        }
        reader.failIfProblems();
        return new ServiceConfig(
                host,
                port,
                dataDir,
                dockerHost,
                catalog,
                Duration.ofSeconds(minSeconds),
                Duration.ofMinutes(maxMinutes),
                reconcile,
                reapConcurrency,
                Duration.ofSeconds(pullSeconds),
                Duration.ofSeconds(warningSeconds),
                logLines,
                terminalBytes,
                logLevel,
                logFormat,
                AuthMode.valueOf(auth.toUpperCase(Locale.ROOT)),
                tokensFile,
                perUser,
                perAdmin,
                total,
                ratePerMinute,
                List.copyOf(proxies),
                origins,
                hosts,
                labels,
                Duration.ofDays(retentionDays),
                logBytes,
                logTotalBytes,
                Duration.ofSeconds(detachedSeconds),
                connectionLimits,
                codeMaxBytes,
                filesMaxBytes,
                redisUrl,
                Duration.ofSeconds(heartbeatSeconds),
                orphanPolicy,
                poolMaxTotal,
                poolDrainOnStop,
                eventHistoryBytes,
                Duration.ofSeconds(deadmanMarginSeconds),
                Duration.ofMinutes(poolMaxWaitMinutes),
                runtime,
                previews);
    }

    /** PREVIEW_PORT (a port, 0 for any free one, or off), PREVIEW_URL and PREVIEW_SECRET. */
    private static PreviewChoice previewChoice(EnvReader reader) {
        String port = reader.string("PREVIEW_PORT", Integer.toString(PreviewChoice.DEFAULT_PORT));
        Optional<Integer> chosen = Optional.empty();
        if (!port.equals("off")) {
            if (port.matches("[0-9]{1,5}") && Integer.parseInt(port) <= 65535) {
                chosen = Optional.of(Integer.parseInt(port));
            } else {
                reader.problem("PREVIEW_PORT: '" + port + "' is neither a port (0 for any free one) nor 'off'");
            }
        }
        Optional<String> url = Optional.ofNullable(reader.string("PREVIEW_URL", null));
        url.ifPresent(u -> {
            try {
                io.containerlease.preview.PreviewAddress.parse(u);
            } catch (IllegalArgumentException e) {
                reader.problem("PREVIEW_URL: " + e.getMessage());
            }
        });
        Optional<String> secret = Optional.ofNullable(reader.string("PREVIEW_SECRET", null));
        secret.filter(s -> s.length() < 32)
                .ifPresent(s -> reader.problem("PREVIEW_SECRET: at least 32 characters (it signs preview links)"));
        return new PreviewChoice(chosen, url, secret);
    }

    /** RUNTIME, and for Kubernetes its namespace (a DNS label) and the image that carries our helper. */
    private static RuntimeChoice runtimeChoice(EnvReader reader) {
        var kind = RuntimeChoice.Kind.valueOf(reader.choice("RUNTIME", "docker", List.of("docker", "kubernetes"))
                .toUpperCase(Locale.ROOT));
        String namespace = reader.string("KUBERNETES_NAMESPACE", "default");
        if (!namespace.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            reader.problem("KUBERNETES_NAMESPACE: '" + namespace
                    + "' is not a namespace name (lower-case letters, digits and '-', at most 63)");
        }
        String helperImage = reader.string("KUBERNETES_HELPER_IMAGE", RuntimeChoice.DOCKER.helperImage());
        if (helperImage.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            reader.problem("KUBERNETES_HELPER_IMAGE: an image reference has no spaces");
        }
        Optional<Path> kubeconfig =
                reader.isSet("KUBECONFIG") ? Optional.of(Path.of(reader.string("KUBECONFIG", ""))) : Optional.empty();
        return new RuntimeChoice(kind, namespace, helperImage, kubeconfig);
    }

    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    /** RECONCILE_INTERVAL_SECONDS wins; the seed's CLEANUP_INTERVAL_MINUTES is honoured when it is alone. */
    private static Duration reconcileInterval(EnvReader reader) {
        if (reader.isSet("RECONCILE_INTERVAL_SECONDS") || !reader.isSet("CLEANUP_INTERVAL_MINUTES")) {
            return Duration.ofSeconds(reader.integer("RECONCILE_INTERVAL_SECONDS", 30, 1, 24 * 3600));
        }
        return Duration.ofMinutes(reader.integer("CLEANUP_INTERVAL_MINUTES", 1, 1, 24 * 60));
    }

    /** Reads typed values and remembers what was wrong instead of stopping at the first problem. */
    private static final class EnvReader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        EnvReader(Map<String, String> env) {
            this.env = env;
        }

        boolean isSet(String name) {
            String value = env.get(name);
            return value != null && !value.isBlank();
        }

        String string(String name, String fallback) {
            return isSet(name) ? env.get(name).trim() : fallback;
        }

        long integer(String name, long fallback, long min, long max) {
            if (!isSet(name)) {
                return fallback;
            }
            String raw = env.get(name).trim();
            try {
                long value = Long.parseLong(raw);
                if (value < min || value > max) {
                    problem(name + ": " + value + " is out of range (" + min + ".." + max + ")");
                    return fallback;
                }
                return value;
            } catch (NumberFormatException e) {
                problem(name + ": '" + raw + "' is not a whole number");
                return fallback;
            }
        }

        /** A comma-separated list; empty when unset. */
        List<String> list(String name) {
            if (!isSet(name)) {
                return List.of();
            }
            return java.util.Arrays.stream(env.get(name).split(","))
                    .map(String::trim)
                    .filter(v -> !v.isEmpty())
                    .toList();
        }

        String choice(String name, String fallback, List<String> allowed) {
            String value = string(name, fallback).toLowerCase(Locale.ROOT);
            if (!allowed.contains(value)) {
                problem(name + ": '" + env.get(name) + "' is not one of " + String.join(", ", allowed));
                return fallback;
            }
            return value;
        }

        void problem(String text) {
            problems.add(text);
        }

        void failIfProblems() {
            if (!problems.isEmpty()) {
                throw ConfigException.of("Invalid configuration", problems);
            }
        }
    }
}
