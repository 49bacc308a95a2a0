package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RecordingListener;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every end is announced, and announced once: listeners free what they hold on the strength of it. */
class LeaseEndingsTest {
    private final LeaseWorld world = new LeaseWorld();
    private final RecordingListener recorder = new RecordingListener();

    LeaseEndingsTest() {
        world.leases.addListener(recorder);
    }

    @AfterEach
    void close() {
        world.close();
    }

    private Lease provision() {
        return world.provisionBusybox(Duration.ofMinutes(30));
    }

    @Test
    void aSessionRuleEndingALeaseTwiceAnnouncesItOnce() {
        Lease lease = provision();
        world.leases.end(lease.id(), EndReason.IDLE).join();
        world.leases.end(lease.id(), EndReason.IDLE).join();
        world.leases.end(lease.id(), EndReason.DISCONNECTED).join();
        assertThat(recorder.ends()).containsExactly("ending idle", "ended idle");
    }

    @Test
    void aReleasedLeaseIsNotEndedAgainByASessionRule() {
        Lease lease = provision();
        world.leases.release(lease.id(), Caller.ANONYMOUS_ADMIN);
        world.leases.end(lease.id(), EndReason.IDLE).join();
        assertThat(recorder.ends()).containsExactly("ending released", "ended released");
    }

    @Test
    void aLeaseWhoseContainerVanishedIsAnnouncedLostOnce() {
        Lease lease = provision();
        world.leases.endIfLost(lease.id());
        assertThat(recorder.ends()).as("its container is still there").isEmpty();

        world.runtime.remove(lease.containerId()); // gone behind the service's back
        world.leases.endIfLost(lease.id());
        world.leases.endIfLost(lease.id());
        assertThat(recorder.ends()).containsExactly("ending lost", "ended lost");
        Lease lost = world.store.find(lease.id()).orElseThrow();
        assertThat(lost.state()).isEqualTo(LeaseState.ENDED);
        assertThat(lost.detail()).isEqualTo("the container disappeared");
    }
}
