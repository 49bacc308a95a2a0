package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RecordingControlSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection, a log reader and a shell that arrive just as their lease ends, raced many times on
 * real threads: whichever wins, the client is told the lease ended, and nothing about the lease
 * stays in memory.
 */
@Timeout(120)
class LateConnectionStressTest {
    private static final int ROUNDS = 2_000;
    private static final LogStreams.Reader IGNORE = () -> {};

    @Test
    void whateverWinsTheRaceNothingOfAnEndedLeaseIsKept() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (LeaseWorld world = new LeaseWorld()) {
            for (int i = 0; i < ROUNDS; i++) {
                Lease lease = world.leases.provision(
                        new ProvisionRequest("busybox", Duration.ofHours(1), Map.of(), SessionRules.NONE),
                        Caller.ANONYMOUS_ADMIN);
                RecordingControlSink channel = new RecordingControlSink();
                CyclicBarrier start = new CyclicBarrier(2);
                Future<?> connect = pool.submit(() -> {
                    start.await();
                    connectLikeTheSockets(world, lease, channel);
                    return null;
                });
                Future<?> end = pool.submit(() -> {
                    start.await();
                    world.leases.release(lease.id(), Caller.ANONYMOUS_ADMIN);
                    return null;
                });
                connect.get();
                end.get();

                assertThat(world.connections.tracks(lease.id()))
                        .as("round %d: connection room", i)
                        .isFalse();
                assertThat(world.logs.tracks(lease.id()))
                        .as("round %d: log buffer", i)
                        .isFalse();
                assertThat(world.terminals.tracks(lease.id()))
                        .as("round %d: shells", i)
                        .isFalse();
                assertThat(channel.received("ended"))
                        .as("round %d: the client was told: %s %s", i, channel.messages, channel.closedWith)
                        .isTrue();
                assertThat(channel.closedWith)
                        .as("round %d: and closed normally", i)
                        .isEqualTo(1000);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** What the log and terminal endpoints do once they found the lease running. */
    private static void connectLikeTheSockets(LeaseWorld world, Lease lease, RecordingControlSink channel) {
        var registration = world.connections.open(lease, channel);
        if (registration.isEmpty()) {
            return;
        }
        try {
            world.logs.subscribe(lease.id(), new LogStreams.Start.Tail(10), IGNORE);
            world.terminals.open(lease.id(), List.of("/bin/sh"), 80, 24, java.util.Optional.empty());
        } catch (LeaseEndedException ended) {
            registration.get().leaseEnded(ended.reason());
        }
    }
}
