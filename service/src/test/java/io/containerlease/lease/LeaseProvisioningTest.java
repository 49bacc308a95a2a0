package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RecordingListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The way into a lease, told to every listener in order, on every path: a cold provision, a warm
 * one, and the failures before and after its container was asked for. Listeners free and make what
 * they hold on the strength of these.
 */
class LeaseProvisioningTest {
    private LeaseWorld world = new LeaseWorld();
    private RecordingListener recorder = new RecordingListener();

    LeaseProvisioningTest() {
        world.leases.addListener(recorder);
    }

    @AfterEach
    void close() {
        world.close();
    }

    private Lease provision(String imageType) {
        return world.leases.provision(
                new ProvisionRequest(imageType, Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
    }

    private double ended(String reason) {
        var counter = world.registry
                .find("containerlease.leases.ended")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aColdProvisionIsToldProvisioningThenRunningAndTimed() {
        Lease lease = provision("busybox");
        assertThat(recorder.heard).containsExactly("provisioning provisioning", "running running");
        assertThat(world.leases.inFlight()).doesNotContain(lease.id());
        var latency = world.registry.get("containerlease.provision").timer();
        assertThat(latency.count()).isEqualTo(1);
        assertThat(latency.max(TimeUnit.SECONDS))
                .as("the time it took, not a clock reading")
                .isLessThan(60);
    }

    @Test
    void aLeaseWhoseImageIsMissingFailsAtOnceAndIsToldSo() {
        // alpine is in the catalog but not on this engine, which cannot fetch it.
        assertThatThrownBy(() -> provision("alpine")).isInstanceOf(ImageUnavailableException.class);
        assertThat(recorder.heard).containsExactly("provisioning provisioning", "ending failed", "ended failed");
        assertThat(world.store.listLive()).isEmpty();
        Lease failed = world.store
                .page(java.util.Optional.empty(), true, java.util.Optional.empty(), 10)
                .get(0);
        assertThat(failed.state()).isEqualTo(LeaseState.ENDED);
        assertThat(failed.detail()).startsWith("image ");
        assertThat(ended("failed")).isEqualTo(1);
        assertThat(world.runtime.all()).isEmpty();
    }

    @Test
    void aContainerTheEngineRefusesEndsTheLeaseWithTheClientsWordsOnly() {
        world.runtime.duringCreate = spec -> {
            throw new RuntimeOperationException("Docker refused to create", "engine detail: /var/lib/docker/x", null);
        };
        assertThatThrownBy(() -> provision("busybox")).isInstanceOf(RuntimeOperationException.class);
        assertThat(recorder.heard).containsExactly("provisioning provisioning", "ending failed", "ended failed");
        Lease failed = world.store
                .page(java.util.Optional.empty(), true, java.util.Optional.empty(), 10)
                .get(0);
        assertThat(failed.endReason()).isEqualTo(EndReason.FAILED);
        assertThat(failed.detail()).isEqualTo("Docker refused to create");
    }

    @Test
    void aWarmProvisionIsToldProvisioningThenRunningFromThePool() {
        world.close();
        world = new LeaseWorld(1, Quota.UNLIMITED, Map.of("busybox", 1));
        recorder = new RecordingListener();
        world.leases.addListener(recorder);
        world.pool.start();
        org.awaitility.Awaitility.await().until(() -> world.pool.sizes().get("busybox") == 1);

        Lease lease = provision("busybox");

        assertThat(recorder.heard).containsExactly("provisioning running", "running from the pool running");
        assertThat(world.pool.protectedSince(0)).contains(lease.id());
        assertThat(world.registry.get("containerlease.provision").timer().max(TimeUnit.SECONDS))
                .isLessThan(60);
    }
}
