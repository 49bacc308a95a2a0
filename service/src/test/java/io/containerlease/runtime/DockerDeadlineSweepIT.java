package io.containerlease.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.SessionRules;
import io.containerlease.runtime.docker.DockerContainerRuntime;
import io.containerlease.runtime.docker.DockerDeadlineSweep;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code reap --watch}'s pass, on a real engine with no store and no server: it removes a container
 * only when that container's own deadline says it is over, including where its helper cannot act
 * (paused), and nothing else.
 */
@Timeout(120)
class DockerDeadlineSweepIT {
    private final String instance = "it-" + UUID.randomUUID();
    private final DockerContainerRuntime runtime =
            new DockerContainerRuntime(TestDocker.client(), Duration.ofSeconds(30), RunLabels.labels(), instance);
    private final DockerDeadlineSweep sweep =
            new DockerDeadlineSweep(TestDocker.client(), Map.of(ManagedLabels.INSTANCE, instance));
    private final ImageSpec busybox = ImageCatalog.builtIn().find("busybox").orElseThrow();
    private final Random random = new Random();

    @AfterEach
    void cleanUp() {
        TestDocker.removeAllOf(instance);
    }

    @Test
    void removesOnlyContainersWhoseOwnDeadlineHasPassedPausedAndStoppedOnesIncluded() {
        Instant soon = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        Instant far = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS);
        // Paused past the deadline its helper was told: frozen, the helper cannot end it.
        String pausedPast = start(busybox, far);
        assertThat(runtime.holdDeadline(pausedPast, soon)).isTrue();
        runtime.pause(pausedPast);
        // Paused, its deadline far away: stays.
        String pausedFar = start(busybox, far);
        runtime.pause(pausedFar);
        // Its helper ends it at its deadline: stopped, its last lines say why.
        String endedByHelper = start(busybox, far);
        assertThat(runtime.holdDeadline(endedByHelper, soon)).isTrue();
        // Stopped by a user, past the hard deadline in its label.
        String stoppedPastLabel = start(busybox, soon);
        runtime.stop(stoppedPastLabel, Duration.ofSeconds(1));
        // Its program ended by itself (exit 0), long before its deadline: stays for a server to judge.
        ImageSpec exits = new ImageSpec(
                "exits",
                busybox.image(),
                List.of("sh", "-c", "echo bye >&2; exit 0"),
                List.of("/bin/sh"),
                64,
                0.5,
                16,
                ImageSpec.PullPolicy.NEVER,
                "none",
                SessionRules.NONE,
                Optional.empty(),
                false,
                ImageSpec.DiskLimits.DEFAULT);
        String exitedByItself = start(exits, far);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> Instant.now().isAfter(soon.plusSeconds(1))
                        && !TestDocker.client()
                                .inspectContainerCmd(endedByHelper)
                                .exec()
                                .getState()
                                .getRunning());
        assertThat(sweep.sweep(Instant.now()).stream().map(DockerDeadlineSweep.Removed::container))
                .containsExactlyInAnyOrder(pausedPast, endedByHelper, stoppedPastLabel);
        assertThat(runtime.exists(pausedFar)).isTrue();
        assertThat(runtime.exists(exitedByItself)).isTrue();
        assertThat(sweep.sweep(Instant.now()))
                .as("a second pass finds nothing more")
                .isEmpty();
    }

    private String start(ImageSpec image, Instant deadline) {
        Instant now = Instant.now();
        Lease lease = Lease.provisioning(
                LeaseId.generate(now, random), "busybox", now, Duration.ofMinutes(5), Duration.ofHours(1));
        return runtime.createAndStart(new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                image,
                Map.of(),
                ManagedLabels.forLease(lease, instance),
                Map.of(),
                ContainerSpec.Mounts.NONE,
                Optional.of(deadline)));
    }
}
