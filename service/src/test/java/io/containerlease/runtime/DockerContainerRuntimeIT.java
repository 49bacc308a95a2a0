package io.containerlease.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageUnavailableException;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.SessionRules;
import io.containerlease.runtime.docker.DockerContainerRuntime;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class DockerContainerRuntimeIT {
    private final String instance = "it-" + UUID.randomUUID();
    private final DockerContainerRuntime runtime =
            new DockerContainerRuntime(TestDocker.client(), Duration.ofSeconds(30), RunLabels.labels(), instance);
    private final ImageSpec busybox = ImageCatalog.builtIn().find("busybox").orElseThrow();
    private final Random random = new Random();

    @AfterEach
    void cleanUp() {
        TestDocker.removeAllOf(instance);
    }

    @Test
    void speaksTheApiVersionTheDaemonOffers() {
        String daemon = TestDocker.client().versionCmd().exec().getApiVersion();
        assertThat(TestDocker.apiVersion()).isEqualTo(daemon);
    }

    @Test
    void everyContainerIsHardened() throws Exception {
        Lease lease = lease();
        String id = runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                busybox,
                Map.of("GREETING", "hello"),
                ManagedLabels.forLease(lease, instance)));

        var inspect = TestDocker.client().inspectContainerCmd(id).exec();
        HostConfig host = inspect.getHostConfig();
        assertThat(inspect.getState().getRunning()).isTrue();
        assertThat(inspect.getName()).isEqualTo("/" + ManagedLabels.containerName(lease.id()));
        assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).isNullOrEmpty();
        assertThat(host.getSecurityOpts()).contains("no-new-privileges");
        assertThat(host.getPrivileged()).isFalse();
        assertThat(host.getInit()).as("our helper is the init").isFalse();
        assertThat(host.getNetworkMode()).isEqualTo("none");
        assertThat(host.getMemory()).isEqualTo(128L * 1024 * 1024);
        assertThat(host.getMemorySwap()).isEqualTo(128L * 1024 * 1024);
        assertThat(host.getNanoCPUs()).isEqualTo(500_000_000L);
        assertThat(host.getPidsLimit()).isEqualTo(64L);
        assertThat(inspect.getMounts())
                .as("only our helper, read-only, from a volume")
                .singleElement()
                .satisfies(m -> {
                    assertThat(m.getDestination().getPath()).isEqualTo(io.containerlease.helper.HelperBinary.DIRECTORY);
                    assertThat(m.getRW()).isFalse();
                    assertThat(m.getName()).startsWith("containerlease-helper-");
                });
        assertThat(inspect.getConfig().getLabels())
                .containsEntry(ManagedLabels.LEASE_ID, lease.id().value())
                .containsEntry(ManagedLabels.INSTANCE, instance)
                .containsKeys(ManagedLabels.CREATED_AT, ManagedLabels.EXPIRES_AT, ManagedLabels.IMAGE_TYPE);
        assertThat(inspect.getConfig().getEnv()).contains("GREETING=hello");
        assertThat(inspect.getConfig().getEntrypoint())
                .containsExactly(io.containerlease.helper.HelperBinary.PATH, "init", "--", "sleep", "inf");
        assertThat(exec(id, "tr '\\0' ' ' < /proc/1/cmdline"))
                .startsWith(io.containerlease.helper.HelperBinary.PATH + " init -- sleep inf");
    }

    /**
     * The container ends itself at its deadline, with no server of ours involved, whatever a root
     * shell inside tries against our helper (its PID 1): kill or stop it, read its environment or
     * memory, trace it, overwrite it, remount its volume, set the clock.
     */
    @Test
    void ourHelperEndsTheContainerAtItsDeadlineWhateverARootShellInsideTries() throws Exception {
        Lease lease = lease();
        Instant deadline = Instant.now().plusSeconds(8).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String id = runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                busybox,
                Map.of(),
                ManagedLabels.forLease(lease, instance),
                Map.of(),
                ContainerSpec.Mounts.NONE,
                java.util.Optional.of(deadline)));
        assertThat(TestDocker.client()
                        .inspectContainerCmd(id)
                        .exec()
                        .getConfig()
                        .getLabels())
                .containsEntry(ManagedLabels.DEADLINE, deadline.toString());
        String attacks = exec(id, """
                kill -9 1; kill -STOP 1; sleep 0.3
                echo "state=$(sed -n 's/^State:[[:space:]]*\\([A-Z]\\).*/\\1/p' /proc/1/status)"
                echo "tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' /proc/1/status)"
                cat /proc/1/environ >/dev/null 2>&1 && echo environ-read || echo environ-denied
                readlink /proc/1/exe >/dev/null 2>&1 && echo exe-read || echo exe-denied
                head -c 1 /proc/1/mem >/dev/null 2>&1 && echo mem-read || echo mem-denied
                cp /bin/busybox /.containerlease/containerlease-helper 2>/dev/null && echo overwritten || echo helper-kept
                mount -o remount,rw /.containerlease 2>/dev/null && echo remounted || echo remount-denied
                date -s '2020-01-01 00:00:00' >/dev/null 2>&1; [ "$(date +%Y)" = 2020 ] && echo clock-set || echo clock-kept
                id -u
                """);
        assertThat(attacks)
                .as("as root: " + attacks)
                .contains(
                        "state=S",
                        "tracer=0",
                        "environ-denied",
                        "exe-denied",
                        "mem-denied",
                        "helper-kept",
                        "remount-denied",
                        "clock-kept")
                .doesNotContain("overwritten", "remounted", "clock-set")
                .endsWith("0\n");
        assertThat(TestDocker.client().inspectContainerCmd(id).exec().getState().getRunning())
                .as("it survived all of it")
                .isTrue();

        await().atMost(Duration.between(Instant.now(), deadline).plusSeconds(10))
                .until(() -> !TestDocker.client()
                        .inspectContainerCmd(id)
                        .exec()
                        .getState()
                        .getRunning());
        var state = TestDocker.client().inspectContainerCmd(id).exec().getState();
        Instant finished = Instant.parse(state.getFinishedAt());
        assertThat(finished).as("ended at its deadline").isBetween(deadline, deadline.plusSeconds(5));
        assertThat(state.getExitCodeLong())
                .as("exit 0: no restart policy revives it")
                .isZero();
        // Started again past its deadline, it runs nothing and ends at once.
        TestDocker.client().startContainerCmd(id).exec();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !TestDocker.client()
                        .inspectContainerCmd(id)
                        .exec()
                        .getState()
                        .getRunning());
    }

    /**
     * The service moves the deadline through PID 1's input (the engine's attach), which no process
     * inside can write or pose as; never past the deadline the container was created with; and a
     * container started again holds that one until it is told again.
     */
    @Test
    void theDeadlineMovesOnlyThroughTheEnginesAttachNeverPastItsCapAndAStartForgetsIt() throws Exception {
        Lease lease = lease();
        Instant cap = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String id = runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                busybox,
                Map.of(),
                ManagedLabels.forLease(lease, instance),
                Map.of(),
                ContainerSpec.Mounts.NONE,
                java.util.Optional.of(cap)));
        assertThat(runtime.heldDeadline(id)).contains(cap);

        String attacks = exec(id, """
                echo "deadline 1" > /proc/1/fd/0 2>/dev/null && echo input-written || echo input-denied
                child=$(cat /proc/1/task/1/children | cut -d' ' -f1)
                echo "child-input=$(readlink /proc/$child/fd/0)"
                /.containerlease/containerlease-helper init --deadline 9999999999 -- sleep 60 </dev/null >/dev/null 2>&1 &
                big=$(head -c 100000 /dev/zero | tr '\\0' x)
                for i in 1 2 3 4 5 6 7 8; do sh -c 'sleep 60' x $big $big $big & done
                sleep 0.3; echo posed
                """);
        assertThat(attacks)
                .as("as root: " + attacks)
                .contains("input-denied", "child-input=/dev/null", "posed")
                .doesNotContain("input-written");
        assertThat(runtime.heldDeadline(id))
                .as("a process posing as our helper, and processes with 300 KB of arguments each, change nothing")
                .contains(cap);

        assertThat(runtime.holdDeadline(id, cap.plusSeconds(3600)))
                .as("never past its cap")
                .isFalse();
        assertThat(runtime.heldDeadline(id)).contains(cap);
        Instant later = Instant.now().plusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertThat(runtime.holdDeadline(id, later)).isTrue();
        assertThat(runtime.heldDeadline(id)).contains(later);
        assertThat(exec(id, "tr '\\0' ' ' < /proc/1/cmdline"))
                .as("what a tenant sees too")
                .startsWith(io.containerlease.helper.HelperBinary.PATH + " init --deadline " + later.getEpochSecond()
                        + " -- ");
        assertThat(exec(id, io.containerlease.helper.HelperBinary.PATH + " held; echo status=$?"))
                .as(
                        "the helper's own reading, which Kubernetes uses through exec (PID 1 only: the impostor above is not it)")
                .isEqualTo(later.getEpochSecond() + "\nstatus=0\n");

        runtime.restart(id, Duration.ofSeconds(1));
        assertThat(runtime.heldDeadline(id))
                .as("started again: its creation arguments")
                .contains(cap);

        Instant tight = Instant.now().plusSeconds(4).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertThat(runtime.holdDeadline(id, tight)).isTrue();
        await().atMost(Duration.ofSeconds(15))
                .until(() -> !TestDocker.client()
                        .inspectContainerCmd(id)
                        .exec()
                        .getState()
                        .getRunning());
        var state = TestDocker.client().inspectContainerCmd(id).exec().getState();
        assertThat(Instant.parse(state.getFinishedAt()))
                .as("ended at the deadline it was told")
                .isBetween(tight, tight.plusSeconds(5));
        assertThat(state.getExitCodeLong()).isZero();
        assertThat(runtime.heldDeadline(id)).as("not running: holds nothing").isEmpty();
    }

    @Test
    void theImagesOwnEntrypointAndCommandRunUnderOurHelperAndItsExitStatusIsTheContainers() throws Exception {
        Lease lease = lease();
        ImageSpec exits = small(
                "exits",
                busybox.image(),
                List.of("sh", "-c", "trap 'exit 42' TERM; echo up; sleep inf & wait"),
                ImageSpec.PullPolicy.NEVER,
                java.util.Optional.empty(),
                false);
        String id = runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()), exits, Map.of(), ManagedLabels.forLease(lease, instance)));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> exec(id, "cat /proc/1/cmdline >/dev/null; echo ok").contains("ok"));
        runtime.stop(ManagedLabels.containerName(lease.id()), Duration.ofSeconds(5));
        var state = TestDocker.client().inspectContainerCmd(id).exec().getState();
        assertThat(state.getExitCodeLong())
                .as("docker stop's TERM reached the program, whose status is the container's")
                .isEqualTo(42L);
    }

    /**
     * An image with its own ENTRYPOINT: our helper runs it with the catalog's command as its
     * arguments, or the image's CMD where the catalog names none, exactly as the engine would.
     */
    @Test
    void anImagesOwnEntrypointRunsUnderOurHelperWithTheCatalogsCommandOrTheImagesCmd(@TempDir Path context)
            throws Exception {
        Files.writeString(context.resolve("Dockerfile"), """
                FROM %s
                COPY entry.sh /entry.sh
                ENTRYPOINT ["/entry.sh"]
                CMD ["sleep", "1000"]
                """.formatted(busybox.image()));
        Path entry =
                Files.writeString(context.resolve("entry.sh"), "#!/bin/sh\necho \"entrypoint saw: $*\"\nexec \"$@\"\n");
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rwxr-xr-x"));
        String tag = "containerlease-test/entrypoint:" + UUID.randomUUID();
        TestDocker.client()
                .buildImageCmd(context.toFile())
                .withTags(Set.of(tag))
                .withPull(false)
                .withLabels(RunLabels.labels())
                .exec(new com.github.dockerjava.api.command.BuildImageResultCallback())
                .awaitImageId();
        try {
            for (List<String> catalogCommand : List.of(List.of("sleep", "inf"), List.<String>of())) {
                ImageSpec own = small(
                        "own", tag, catalogCommand, ImageSpec.PullPolicy.NEVER, java.util.Optional.empty(), false);
                runtime.ensureImage(own);
                Lease lease = lease();
                String id = runtime.createAndStart(new ContainerSpec(
                        ManagedLabels.containerName(lease.id()),
                        own,
                        Map.of(),
                        ManagedLabels.forLease(lease, instance),
                        Map.of(),
                        ContainerSpec.Mounts.NONE,
                        java.util.Optional.of(Instant.now().plusSeconds(600))));
                String expected = catalogCommand.isEmpty() ? "sleep 1000" : "sleep inf";
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> exec(id, "ps -o args").contains(expected));
                assertThat(exec(id, "tr '\\0' ' ' < /proc/1/cmdline")).contains(" -- /entry.sh " + expected);
                assertThat(TestDocker.logs(id)).contains("entrypoint saw: " + expected);
                runtime.remove(id);
            }
        } finally {
            TestDocker.client().removeImageCmd(tag).withForce(true).exec();
        }
    }

    @Test
    void aCatalogEntryCanRunAsANonRootUserOnAReadOnlyRoot() throws Exception {
        ImageSpec locked = small(
                "locked",
                busybox.image(),
                List.of("sleep", "inf"),
                ImageSpec.PullPolicy.NEVER,
                java.util.Optional.of("65534:65534"),
                true);
        Lease lease = lease();
        Instant cap = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String id = runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                locked,
                Map.of(),
                ManagedLabels.forLease(lease, instance),
                Map.of(),
                ContainerSpec.Mounts.NONE,
                java.util.Optional.of(cap)));
        var inspect = TestDocker.client().inspectContainerCmd(id).exec();
        assertThat(inspect.getConfig().getUser()).isEqualTo("65534:65534");
        // Our helper runs as the catalog's user too: that user, the tenant's, still cannot write its input, and the
        // service can.
        assertThat(exec(id, "echo 'deadline 1' > /proc/1/fd/0 2>/dev/null && echo input-written || echo input-denied"))
                .contains("input-denied");
        Instant later = cap.minusSeconds(1800);
        assertThat(runtime.holdDeadline(id, later)).isTrue();
        assertThat(runtime.heldDeadline(id)).contains(later);
        assertThat(inspect.getHostConfig().getReadonlyRootfs()).isTrue();
        assertThat(inspect.getHostConfig().getTmpFs()).containsKey("/tmp");
        assertThat(inspect.getHostConfig().getCapDrop()).containsExactly(Capability.ALL);

        String out = exec(
                id,
                "id -u; touch /rootfile 2>/dev/null && echo root-writable || echo root-readonly; touch /tmp/x && echo tmp-writable");
        assertThat(out).contains("65534", "root-readonly", "tmp-writable").doesNotContain("root-writable");
    }

    @Test
    void secretFilesAreFilesOfTheContainersUserReadableByItAloneAndNowhereInItsConfiguration() throws Exception {
        ImageSpec locked = small(
                "locked",
                busybox.image(),
                List.of("sleep", "inf"),
                ImageSpec.PullPolicy.NEVER,
                java.util.Optional.of("65534:65534"),
                true);
        String secret = "very-secret-db-password";
        Lease lease = lease();
        String id = runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                locked,
                Map.of(),
                ManagedLabels.forLease(lease, instance),
                Map.of("db-password", secret),
                ContainerSpec.Mounts.NONE,
                java.util.Optional.empty()));
        String out = exec(
                id,
                "cat /run/secrets/db-password; echo; stat -c '%a %u' /run/secrets/db-password; "
                        + "echo x > /run/secrets/db-password 2>/dev/null && echo overwritten || echo kept");
        assertThat(out).contains(secret, "400 65534", "kept").doesNotContain("overwritten");
        var inspect = TestDocker.client().inspectContainerCmd(id).exec();
        assertThat(String.valueOf(java.util.Arrays.asList(inspect.getConfig().getEnv()))
                        + inspect.getConfig().getLabels()
                        + java.util.Arrays.asList(inspect.getConfig().getEntrypoint()))
                .doesNotContain(secret);
        String volume = inspect.getMounts().stream()
                .filter(m -> String.valueOf(m.getDestination()).contains("/run/secrets"))
                .findFirst()
                .orElseThrow()
                .getName();
        runtime.remove(id);
        assertThat(TestDocker.client().listVolumesCmd().exec().getVolumes())
                .as("the secrets' volume goes with the container")
                .noneMatch(v -> v.getName().equals(volume));
    }

    private static String exec(String container, String script) throws InterruptedException {
        return TestDocker.exec(container, script, java.time.Duration.ofSeconds(10));
    }

    @Test
    void removalIsIdempotentAndListingSeesOnlyThisInstance() {
        Lease lease = lease();
        String name = ManagedLabels.containerName(lease.id());
        runtime.createAndStart(new ContainerSpec(name, busybox, Map.of(), ManagedLabels.forLease(lease, instance)));
        List<ManagedContainer> listed = runtime.listManaged(instance);
        assertThat(listed).singleElement().satisfies(c -> {
            assertThat(c.leaseId()).contains(lease.id());
            assertThat(c.running()).isTrue();
        });
        assertThat(runtime.listManaged("someone-else-" + UUID.randomUUID())).isEmpty();

        runtime.remove(name);
        runtime.remove(name);
        assertThat(runtime.exists(name)).isFalse();
        assertThat(runtime.listManaged(instance)).isEmpty();
    }

    /** One lease wrote 583 MB of log in 30 s before logs were rotated: now its log on disk stays within its limits. */
    @Test
    void aLogFloodIsCappedOnDisk() throws Exception {
        ImageSpec flood = new ImageSpec(
                "flood",
                busybox.image(),
                List.of("sh", "-c", "while :; do echo " + "x".repeat(200) + "; done"),
                List.of("/bin/sh"),
                64,
                0.5,
                16,
                ImageSpec.PullPolicy.NEVER,
                "none",
                SessionRules.NONE,
                java.util.Optional.empty(),
                false,
                new ImageSpec.DiskLimits(1, 2, java.util.Optional.empty()));
        Lease lease = lease();
        String id = runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()), flood, Map.of(), ManagedLabels.forLease(lease, instance)));
        try {
            var inspect = TestDocker.client().inspectContainerCmd(id).exec();
            assertThat(inspect.getHostConfig().getLogConfig().getConfig())
                    .containsEntry("max-size", "1m")
                    .containsEntry("max-file", "2");
            java.nio.file.Path logFile = java.nio.file.Path.of(inspect.getLogPath());
            // Enough time to write many megabytes at the speed a shell loop echoes.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> java.nio.file.Files.exists(logFile.resolveSibling(logFile.getFileName() + ".1")));
            Thread.sleep(2000);
            long onDisk;
            try (var files = java.nio.file.Files.list(logFile.getParent())) {
                onDisk = files.filter(f -> f.getFileName()
                                .toString()
                                .startsWith(logFile.getFileName().toString()))
                        .mapToLong(f -> f.toFile().length())
                        .sum();
            }
            assertThat(onDisk).as("two files of at most 1 MiB").isLessThanOrEqualTo(2L * 1024 * 1024 + 64 * 1024);
        } finally {
            runtime.remove(id);
        }
    }

    @Test
    void missingImagesAreReportedAsUnavailable() {
        ImageSpec neverPulled = small(
                "ghost",
                "containerlease/does-not-exist:1",
                List.of(),
                ImageSpec.PullPolicy.NEVER,
                java.util.Optional.empty(),
                false);
        assertThatThrownBy(() -> runtime.ensureImage(neverPulled))
                .isInstanceOf(ImageUnavailableException.class)
                .hasMessageContaining("pull policy is 'never'");
        // No registry is reachable from these machines, so the pull itself fails.
        ImageSpec unpullable = small(
                "ghost",
                "containerlease/does-not-exist:1",
                List.of(),
                ImageSpec.PullPolicy.IF_NOT_PRESENT,
                java.util.Optional.empty(),
                false);
        assertThatThrownBy(() -> runtime.ensureImage(unpullable))
                .isInstanceOf(ImageUnavailableException.class)
                .satisfies(e -> {
                    // The engine's own answer is kept for the log; the client part says only what failed.
                    assertThat(((ImageUnavailableException) e).clientMessage()).endsWith("cannot be pulled");
                    assertThat(((ImageUnavailableException) e).detail()).isNotBlank();
                });
        runtime.ensureImage(busybox);
    }

    /** A small catalog entry: 64 MB, half a CPU, 16 processes, no network, sh as its shell. */
    private static ImageSpec small(
            String type,
            String image,
            List<String> command,
            ImageSpec.PullPolicy pull,
            java.util.Optional<String> user,
            boolean readOnlyRoot) {
        return new ImageSpec(
                type,
                image,
                command,
                List.of("/bin/sh"),
                64,
                0.5,
                16,
                pull,
                "none",
                SessionRules.NONE,
                user,
                readOnlyRoot,
                ImageSpec.DiskLimits.DEFAULT);
    }

    private Lease lease() {
        Instant now = Instant.now();
        return Lease.provisioning(
                LeaseId.generate(now, random), "busybox", now, Duration.ofMinutes(5), Duration.ofHours(1));
    }
}
