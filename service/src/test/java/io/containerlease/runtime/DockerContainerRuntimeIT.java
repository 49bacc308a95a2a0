package io.containerlease.runtime;

import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ImageUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.SessionRules;
import io.containerlease.runtime.docker.DockerContainerRuntime;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(180)
class DockerContainerRuntimeIT {
    private final String instance = "it-" + UUID.randomUUID();
    private final DockerContainerRuntime runtime = new DockerContainerRuntime(TestDocker.client(), Duration.ofSeconds(30), RunLabels.labels(), instance);
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
    void everyContainerIsHardened() {
        Lease lease = lease();
        String id = runtime.createAndStart(new ContainerSpec(ManagedLabels.containerName(lease.id()), busybox,
                Map.of("GREETING", "hello"), ManagedLabels.forLease(lease, instance)));

        var inspect = TestDocker.client().inspectContainerCmd(id).exec();
        HostConfig host = inspect.getHostConfig();
        assertThat(inspect.getState().getRunning()).isTrue();
        assertThat(inspect.getName()).isEqualTo("/" + ManagedLabels.containerName(lease.id()));
        assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).isNullOrEmpty();
        assertThat(host.getSecurityOpts()).contains("no-new-privileges");
        assertThat(host.getPrivileged()).isFalse();
        assertThat(host.getInit()).isTrue();
        assertThat(host.getNetworkMode()).isEqualTo("none");
        assertThat(host.getMemory()).isEqualTo(128L * 1024 * 1024);
        assertThat(host.getMemorySwap()).isEqualTo(128L * 1024 * 1024);
        assertThat(host.getNanoCPUs()).isEqualTo(500_000_000L);
        assertThat(host.getPidsLimit()).isEqualTo(64L);
        assertThat(host.getBinds()).isNullOrEmpty();
        assertThat(inspect.getMounts()).isNullOrEmpty();
        assertThat(inspect.getConfig().getLabels()).containsEntry(ManagedLabels.LEASE_ID, lease.id().value())
                .containsEntry(ManagedLabels.INSTANCE, instance)
                .containsKeys(ManagedLabels.CREATED_AT, ManagedLabels.EXPIRES_AT, ManagedLabels.IMAGE_TYPE);
        assertThat(inspect.getConfig().getEnv()).contains("GREETING=hello");
        assertThat(inspect.getConfig().getCmd()).containsExactly("sleep", "inf");
    }

    @Test
    void aCatalogEntryCanRunAsANonRootUserOnAReadOnlyRoot() throws Exception {
        ImageSpec locked = new ImageSpec("locked", busybox.image(), List.of("sleep", "inf"), List.of("/bin/sh"),
                64, 0.5, 16, ImageSpec.PullPolicy.NEVER, "none", SessionRules.NONE, java.util.Optional.of("65534:65534"), true,
                ImageSpec.DiskLimits.DEFAULT);
        Lease lease = lease();
        String id = runtime.createAndStart(new ContainerSpec(ManagedLabels.containerName(lease.id()), locked, Map.of(),
                ManagedLabels.forLease(lease, instance)));
        var inspect = TestDocker.client().inspectContainerCmd(id).exec();
        assertThat(inspect.getConfig().getUser()).isEqualTo("65534:65534");
        assertThat(inspect.getHostConfig().getReadonlyRootfs()).isTrue();
        assertThat(inspect.getHostConfig().getTmpFs()).containsKey("/tmp");
        assertThat(inspect.getHostConfig().getCapDrop()).containsExactly(Capability.ALL);

        String out = exec(id, "id -u; touch /rootfile 2>/dev/null && echo root-writable || echo root-readonly; touch /tmp/x && echo tmp-writable");
        assertThat(out).contains("65534", "root-readonly", "tmp-writable").doesNotContain("root-writable");
    }

    @Test
    void secretFilesAreFilesOfTheContainersUserReadableByItAloneAndNowhereInItsConfiguration() throws Exception {
        ImageSpec locked = new ImageSpec("locked", busybox.image(), List.of("sleep", "inf"), List.of("/bin/sh"),
                64, 0.5, 16, ImageSpec.PullPolicy.NEVER, "none", SessionRules.NONE, java.util.Optional.of("65534:65534"), true,
                ImageSpec.DiskLimits.DEFAULT);
        String secret = "very-secret-db-password";
        Lease lease = lease();
        String id = runtime.createAndStart(new ContainerSpec(ManagedLabels.containerName(lease.id()), locked, Map.of(),
                ManagedLabels.forLease(lease, instance), Map.of("db-password", secret), ContainerSpec.Mounts.NONE));
        String out = exec(id, "cat /run/secrets/db-password; echo; stat -c '%a %u' /run/secrets/db-password; "
                + "echo x > /run/secrets/db-password 2>/dev/null && echo overwritten || echo kept");
        assertThat(out).contains(secret, "400 65534", "kept").doesNotContain("overwritten");
        var inspect = TestDocker.client().inspectContainerCmd(id).exec();
        assertThat(String.valueOf(java.util.Arrays.asList(inspect.getConfig().getEnv())) + inspect.getConfig().getLabels()
                + java.util.Arrays.asList(inspect.getConfig().getCmd())).doesNotContain(secret);
        String volume = inspect.getMounts().stream().filter(m -> String.valueOf(m.getDestination()).contains("/run/secrets"))
                .findFirst().orElseThrow().getName();
        runtime.remove(id);
        assertThat(TestDocker.client().listVolumesCmd().exec().getVolumes()).as("the secrets' volume goes with the container")
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
        ImageSpec flood = new ImageSpec("flood", busybox.image(),
                List.of("sh", "-c", "while :; do echo " + "x".repeat(200) + "; done"), List.of("/bin/sh"),
                64, 0.5, 16, ImageSpec.PullPolicy.NEVER, "none", SessionRules.NONE, java.util.Optional.empty(), false,
                new ImageSpec.DiskLimits(1, 2, java.util.Optional.empty()));
        Lease lease = lease();
        String id = runtime.createAndStart(new ContainerSpec(ManagedLabels.containerName(lease.id()), flood, Map.of(),
                ManagedLabels.forLease(lease, instance)));
        try {
            var inspect = TestDocker.client().inspectContainerCmd(id).exec();
            assertThat(inspect.getHostConfig().getLogConfig().getConfig()).containsEntry("max-size", "1m").containsEntry("max-file", "2");
            java.nio.file.Path logFile = java.nio.file.Path.of(inspect.getLogPath());
            // Enough time to write many megabytes at the speed a shell loop echoes.
            await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.exists(logFile.resolveSibling(logFile.getFileName() + ".1")));
            Thread.sleep(2000);
            long onDisk;
            try (var files = java.nio.file.Files.list(logFile.getParent())) {
                onDisk = files.filter(f -> f.getFileName().toString().startsWith(logFile.getFileName().toString()))
                        .mapToLong(f -> f.toFile().length()).sum();
            }
            assertThat(onDisk).as("two files of at most 1 MiB").isLessThanOrEqualTo(2L * 1024 * 1024 + 64 * 1024);
        } finally {
            runtime.remove(id);
        }
    }

    @Test
    void missingImagesAreReportedAsUnavailable() {
        ImageSpec neverPulled = new ImageSpec("ghost", "containerlease/does-not-exist:1", List.of(), List.of("/bin/sh"),
                64, 0.5, 16, ImageSpec.PullPolicy.NEVER, "none", SessionRules.NONE, java.util.Optional.empty(), false, ImageSpec.DiskLimits.DEFAULT);
        assertThatThrownBy(() -> runtime.ensureImage(neverPulled))
                .isInstanceOf(ImageUnavailableException.class).hasMessageContaining("pull policy is 'never'");
        // No registry is reachable from these machines, so the pull itself fails.
        ImageSpec unpullable = new ImageSpec("ghost", "containerlease/does-not-exist:1", List.of(), List.of("/bin/sh"),
                64, 0.5, 16, ImageSpec.PullPolicy.IF_NOT_PRESENT, "none", SessionRules.NONE, java.util.Optional.empty(), false, ImageSpec.DiskLimits.DEFAULT);
        assertThatThrownBy(() -> runtime.ensureImage(unpullable))
                .isInstanceOf(ImageUnavailableException.class)
                .satisfies(e -> {
                    // The engine's own answer is kept for the log; the client part says only what failed.
                    assertThat(((ImageUnavailableException) e).clientMessage()).endsWith("cannot be pulled");
                    assertThat(((ImageUnavailableException) e).detail()).isNotBlank();
                });
        runtime.ensureImage(busybox);
    }

    private Lease lease() {
        Instant now = Instant.now();
        return Lease.provisioning(LeaseId.generate(now, random), "busybox", now, Duration.ofMinutes(5), Duration.ofHours(1));
    }
}
