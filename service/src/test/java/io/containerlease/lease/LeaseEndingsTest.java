package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every end is announced, and announced once: listeners free what they hold on the strength of it. */
class LeaseEndingsTest {
    private final LeaseWorld world = new LeaseWorld();
    private final List<String> heard = new CopyOnWriteArrayList<>();

    LeaseEndingsTest() {
        world.leases.addListener(new LeaseListener() {
            @Override
            public void onEnding(LeaseId id, EndReason reason) {
                heard.add("ending " + reason.wireName());
            }

            @Override
            public void onEnded(Lease lease) {
                heard.add("ended " + lease.endReason().wireName());
            }
        });
    }

    @AfterEach
    void close() {
        world.close();
    }

    private Lease provision() {
        return world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
    }

    @Test
    void aSessionRuleEndingALeaseTwiceAnnouncesItOnce() {
        Lease lease = provision();
        world.leases.end(lease.id(), EndReason.IDLE).join();
        world.leases.end(lease.id(), EndReason.IDLE).join();
        world.leases.end(lease.id(), EndReason.DISCONNECTED).join();
        assertThat(heard).containsExactly("ending idle", "ended idle");
    }

    @Test
    void aReleasedLeaseIsNotEndedAgainByASessionRule() {
        Lease lease = provision();
        world.leases.release(lease.id(), Caller.ANONYMOUS_ADMIN);
        world.leases.end(lease.id(), EndReason.IDLE).join();
        assertThat(heard).containsExactly("ending released", "ended released");
    }

    @Test
    void aLeaseWhoseContainerVanishedIsAnnouncedLostOnce() {
        Lease lease = provision();
        world.leases.endIfLost(lease.id());
        assertThat(heard).as("its container is still there").isEmpty();

        world.runtime.remove(lease.containerId()); // gone behind the service's back
        world.leases.endIfLost(lease.id());
        world.leases.endIfLost(lease.id());
        assertThat(heard).containsExactly("ending lost", "ended lost");
        Lease lost = world.store.find(lease.id()).orElseThrow();
        assertThat(lost.state()).isEqualTo(LeaseState.ENDED);
        assertThat(lost.detail()).isEqualTo("the container disappeared");
    }
}
