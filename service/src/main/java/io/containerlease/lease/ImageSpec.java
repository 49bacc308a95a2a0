package io.containerlease.lease;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What runs for one {@code imageType}: the image, its command and the limits it gets.
 * Every lease of this type gets exactly these settings; a request can never change them (it may
 * only choose its own session rules, which otherwise default to {@code sessionDefaults}).
 */
public record ImageSpec(
        String imageType,
        String image,
        List<String> command,
        List<String> shell,
        long memoryMb,
        double cpus,
        long pidsLimit,
        PullPolicy pullPolicy,
        String network,
        SessionRules sessionDefaults,
        Optional<String> user,
        boolean readOnlyRootfs,
        DiskLimits disk,
        Lifecycle lifecycle,
        Program program) {

    private static final Pattern IMAGE_TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern USER =
            Pattern.compile("[a-z_][a-z0-9_-]{0,31}(:[a-z_][a-z0-9_-]{0,31})?|\\d{1,10}(:\\d{1,10})?");

    public enum PullPolicy {
        NEVER,
        IF_NOT_PRESENT,
        ALWAYS
    }

    /** When the container's main program ends by itself: keep the lease (with an exited container) or end it. */
    public enum OnExit {
        KEEP,
        END
    }

    /**
     * How the container lives within its lease: what happens when its program ends, whether the
     * engine restarts it after a failure (at most {@code restartRetries} times; 0: never), its
     * health check, and whether time spent paused counts as idle.
     */
    public record Lifecycle(
            OnExit onExit, int restartRetries, Optional<HealthCheck> healthCheck, boolean pauseStopsIdle) {
        public static final Lifecycle DEFAULT = new Lifecycle(OnExit.KEEP, 0, Optional.empty(), false);

        public Lifecycle {
            Objects.requireNonNull(onExit, "onExit");
            Objects.requireNonNull(healthCheck, "healthCheck");
            if (restartRetries < 0 || restartRetries > 100) {
                throw new IllegalArgumentException("restart must be 'no' or 'on-failure:N' with N between 1 and 100");
            }
        }
    }

    /** The engine's own health check: {@code command} runs in the container every interval; non-zero exits count as failures. */
    public record HealthCheck(
            List<String> command, java.time.Duration interval, java.time.Duration timeout, int retries) {
        public HealthCheck {
            command = List.copyOf(command);
            if (command.isEmpty()) {
                throw new IllegalArgumentException("healthCheck.command must name a program");
            }
            if (interval.toSeconds() < 1
                    || interval.toSeconds() > 3600
                    || timeout.toSeconds() < 1
                    || timeout.toSeconds() > 3600) {
                throw new IllegalArgumentException(
                        "healthCheck.intervalSeconds and timeoutSeconds must be between 1 and 3600");
            }
            if (retries < 1 || retries > 100) {
                throw new IllegalArgumentException("healthCheck.retries must be between 1 and 100");
            }
        }
    }

    /**
     * How the service reaches the program inside: a message channel (a Unix socket the program makes
     * at {@link #CHANNEL_SOCKET}, in a small private directory of its container's own) and code it
     * may replace while the lease runs.
     */
    public record Program(boolean channel, Optional<Code> code) {
        public static final Program NONE = new Program(false, Optional.empty());

        public Program {
            Objects.requireNonNull(code, "code");
        }
    }

    /** Where a channel-enabled container finds its socket's directory, and the socket's path in it. */
    public static final String CHANNEL_DIR = "/run/containerlease";

    public static final String CHANNEL_SOCKET = CHANNEL_DIR + "/channel.sock";

    /**
     * Code the service may update: it lives in a volume of the lease mounted at {@code path}. After
     * an update the container restarts, or {@code command} runs in it when given (a reload, say).
     * The new version counts as healthy when the engine's health check says so (if the image type
     * has one, within {@code timeout}), else when the program stays up for {@code grace}.
     */
    public record Code(String path, List<String> command, java.time.Duration grace, java.time.Duration timeout) {
        public Code {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")
                    || path.equals("/")
                    || path.contains("/../")
                    || path.endsWith("/..")
                    || path.chars().anyMatch(Character::isWhitespace)
                    || path.startsWith(CHANNEL_DIR)) {
                throw new IllegalArgumentException("code.path must be an absolute directory other than / and "
                        + CHANNEL_DIR + ", without spaces or '..'");
            }
            command = List.copyOf(command);
            if (grace.toSeconds() < 1
                    || grace.toSeconds() > 300
                    || timeout.toSeconds() < 1
                    || timeout.toSeconds() > 600) {
                throw new IllegalArgumentException(
                        "code.healthCheck.graceSeconds must be between 1 and 300, timeoutSeconds between 1 and 600");
            }
        }
    }

    /** An image type with the default lifecycle and no way into its program. */
    public ImageSpec(
            String imageType,
            String image,
            List<String> command,
            List<String> shell,
            long memoryMb,
            double cpus,
            long pidsLimit,
            PullPolicy pullPolicy,
            String network,
            SessionRules sessionDefaults,
            Optional<String> user,
            boolean readOnlyRootfs,
            DiskLimits disk,
            Lifecycle lifecycle) {
        this(
                imageType,
                image,
                command,
                shell,
                memoryMb,
                cpus,
                pidsLimit,
                pullPolicy,
                network,
                sessionDefaults,
                user,
                readOnlyRootfs,
                disk,
                lifecycle,
                Program.NONE);
    }

    /** An image type with the default lifecycle (kept when its program exits, never restarted, no health check). */
    public ImageSpec(
            String imageType,
            String image,
            List<String> command,
            List<String> shell,
            long memoryMb,
            double cpus,
            long pidsLimit,
            PullPolicy pullPolicy,
            String network,
            SessionRules sessionDefaults,
            Optional<String> user,
            boolean readOnlyRootfs,
            DiskLimits disk) {
        this(
                imageType,
                image,
                command,
                shell,
                memoryMb,
                cpus,
                pidsLimit,
                pullPolicy,
                network,
                sessionDefaults,
                user,
                readOnlyRootfs,
                disk,
                Lifecycle.DEFAULT);
    }

    /**
     * How much disk one lease may fill: its log on the engine (rotated at {@code logMaxSizeMb}, at
     * most {@code logMaxFiles} files), and optionally its writable layer, where the engine's storage
     * driver can enforce a quota.
     */
    public record DiskLimits(int logMaxSizeMb, int logMaxFiles, Optional<Integer> writableLayerMb) {
        public static final DiskLimits DEFAULT = new DiskLimits(10, 2, Optional.empty());

        public DiskLimits {
            if (logMaxSizeMb < 1 || logMaxSizeMb > 1024) {
                throw new IllegalArgumentException("logMaxSizeMb must be between 1 and 1024");
            }
            if (logMaxFiles < 1 || logMaxFiles > 20) {
                throw new IllegalArgumentException("logMaxFiles must be between 1 and 20");
            }
            Objects.requireNonNull(writableLayerMb, "writableLayerMb");
            writableLayerMb.ifPresent(mb -> {
                if (mb < 16 || mb > 1_048_576) {
                    throw new IllegalArgumentException("diskMb must be between 16 and 1048576");
                }
            });
        }
    }

    public ImageSpec {
        Objects.requireNonNull(imageType, "imageType");
        if (!IMAGE_TYPE.matcher(imageType).matches()) {
            throw new IllegalArgumentException("image type '" + imageType + "' must match " + IMAGE_TYPE.pattern());
        }
        if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("image must be a non-empty image reference without spaces");
        }
        command = List.copyOf(command);
        shell = List.copyOf(shell);
        if (shell.isEmpty()) {
            throw new IllegalArgumentException("shell must name at least the shell's path");
        }
        // Docker refuses less than 6 MB; beyond 64 GiB is a typo on these machines.
        if (memoryMb < 6 || memoryMb > 65_536) {
            throw new IllegalArgumentException("memoryMb must be between 6 and 65536");
        }
        if (!(cpus >= 0.01 && cpus <= 64)) {
            throw new IllegalArgumentException("cpus must be between 0.01 and 64");
        }
        if (pidsLimit < 1 || pidsLimit > 65_536) {
            throw new IllegalArgumentException("pidsLimit must be between 1 and 65536");
        }
        Objects.requireNonNull(pullPolicy, "pullPolicy");
        Objects.requireNonNull(sessionDefaults, "sessionDefaults");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(lifecycle, "lifecycle");
        Objects.requireNonNull(program, "program");
        user.ifPresent(u -> {
            if (!USER.matcher(u).matches()) {
                throw new IllegalArgumentException(
                        "user '" + u + "' must be a name or uid[:gid], e.g. nobody or 65534:65534");
            }
        });
        if (network == null || network.isBlank()) {
            throw new IllegalArgumentException("network must be 'none' or a named network");
        }
        // Sharing the host's or another container's network namespace would undo the isolation.
        if (network.equals("host") || network.startsWith("container:")) {
            throw new IllegalArgumentException(
                    "network '" + network + "' is not allowed: leases never share a namespace");
        }
    }

    public long memoryBytes() {
        return memoryMb * 1024 * 1024;
    }

    public long nanoCpus() {
        return Math.round(cpus * 1_000_000_000d);
    }
}
