package io.containerlease.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.LoopbackBroadcast;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stop through one server's API, of a container another server holds: the holder tells it as a
 * stop, not as a program that exited. Both servers here watch one engine.
 */
class StopRelayTest {
    private final LoopbackBroadcast network = new LoopbackBroadcast();
    private final LeaseWorld world = new LeaseWorld();
    /** The holder: the server whose states tell this lease's changes. */
    private final ContainerStates holder = new ContainerStates(world.runtime);

    private final StopRelay relayHere = new StopRelay("here", network.endpoint(), world.containers);
    private final StopRelay relayHolder = new StopRelay("holder", network.endpoint(), holder);

    @AfterEach
    void close() {
        relayHere.close();
        relayHolder.close();
        world.close();
    }

    @Test
    void aStopThroughAnotherServerIsAStopToTheHolder() {
        relayHere.start();
        relayHolder.start();
        Lease lease = world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
        holder.onRunning(lease);
        world.containers.stoppedByApi(lease.id(), true); // what ContainerControl does before it stops the container
        world.runtime.stop(lease.containerId(), Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> holder.refresh(lease.id())
                        .map(s -> s.state() == ContainerStatus.State.STOPPED)
                        .orElse(false));
        assertThat(network.sent).containsExactly("s here " + lease.id().value() + " 1");
    }

    @Test
    void withoutTheRelayTheHolderCanOnlySeeAnExit() {
        Lease lease = world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
        holder.onRunning(lease);
        world.containers.stoppedByApi(lease.id(), true);
        world.runtime.stop(lease.containerId(), Duration.ofSeconds(1));
        assertThat(holder.refresh(lease.id()).orElseThrow().state()).isEqualTo(ContainerStatus.State.EXITED);
    }

    @Test
    void aMessageNoServerOfOursWritesIsIgnored() {
        relayHolder.start();
        for (String odd : new String[] {
            "", "s", "s x", "s x not-a-lease 1", "s x 01m8033dce7fxx86sz54ktzqb1", "q x 01m8033dce7fxx86sz54ktzqb1 1"
        }) {
            assertThatCode(() -> network.inject(odd)).as("'%s'", odd).doesNotThrowAnyException();
        }
    }
}
