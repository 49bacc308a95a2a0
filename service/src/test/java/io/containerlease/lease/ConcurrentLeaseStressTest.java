package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads extending, releasing and expiring the same leases at once, through the real core:
 * the store's conditional transitions must make every change count once.
 */
@Timeout(120)
class ConcurrentLeaseStressTest {
    private final LeaseWorld world = new LeaseWorld();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void close() {
        pool.shutdownNow();
        world.close();
    }

    private Lease provision(Duration life) {
        return world.leases.provision(new ProvisionRequest("busybox", life, Map.of()), Caller.ANONYMOUS_ADMIN);
    }

    @Test
    void concurrentExtensionsAddUpExactly() throws Exception {
        List<Lease> leases = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            leases.add(provision(Duration.ofHours(1)));
        }
        int threads = 4;
        int rounds = 25;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            work.add(pool.submit(() -> {
                start.await();
                for (int r = 0; r < rounds; r++) {
                    for (Lease lease : leases) {
                        world.leases.extend(lease.id(), Duration.ofSeconds(1), Caller.ANONYMOUS_ADMIN);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        for (Lease lease : leases) {
            assertThat(world.store.find(lease.id()).orElseThrow().expiresAt())
                    .isEqualTo(lease.expiresAt().plusSeconds((long) threads * rounds));
        }
    }

    @Test
    void extendReleaseAndExpiryRacingEndEveryLeaseExactlyOnce() throws Exception {
        int n = 200;
        List<Lease> leases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leases.add(provision(Duration.ofSeconds(1 + i % 20)));
        }
        CyclicBarrier start = new CyclicBarrier(4);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            long seed = t;
            work.add(pool.submit(() -> {
                Random random = new Random(seed);
                start.await();
                for (int i = 0; i < 2_000; i++) {
                    Lease lease = leases.get(random.nextInt(n));
                    try {
                        if (random.nextInt(4) == 0) {
                            world.leases.release(lease.id(), Caller.ANONYMOUS_ADMIN);
                        } else {
                            world.leases.extend(
                                    lease.id(), Duration.ofSeconds(1 + random.nextInt(3)), Caller.ANONYMOUS_ADMIN);
                        }
                    } catch (LeaseConflictException | RemovalPendingException expected) {
                        // it ended, or a concurrent change won this round: both are answers a client gets
                    }
                }
                return null;
            }));
        }
        work.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < 200; i++) {
                world.scheduler.advance(Duration.ofMillis(250)); // expiry timers fire while the others work
            }
            return null;
        }));
        for (Future<?> f : work) {
            f.get();
        }
        world.scheduler.advance(Duration.ofHours(25)); // whatever is left expires

        for (Lease lease : leases) {
            Lease end = world.store.find(lease.id()).orElseThrow();
            assertThat(end.state()).isEqualTo(LeaseState.ENDED);
            assertThat(end.endReason()).isIn(EndReason.EXPIRED, EndReason.RELEASED);
            assertThat(world.store
                            .activityLog()
                            .page(Optional.empty(), Optional.of(lease.id().value()), 0, 100))
                    .filteredOn(e -> e.action().equals("lease ended"))
                    .as("ended once: %s", lease.id())
                    .hasSize(1);
        }
        double ended = world.registry.find("containerlease.leases.ended").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
        assertThat(ended).isEqualTo(n);
        assertThat(world.runtime.all()).isEmpty();
    }
}
