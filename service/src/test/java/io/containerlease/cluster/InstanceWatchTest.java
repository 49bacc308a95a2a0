package io.containerlease.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.LeaseStore;
import io.containerlease.support.LeaseWorld;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server among others on one store: when it may act on its own judgement, and what it takes over from the dead. */
class InstanceWatchTest {
    private static final String ENGINE = "engine-1";
    private final LeaseWorld world = new LeaseWorld();
    private final FakeHeartbeats heartbeats = new FakeHeartbeats();
    /** What the store hands over when asked to take over a dead server's leases (SQLite shares none by itself). */
    private final List<LeaseId> handedOver = new CopyOnWriteArrayList<>();

    private final List<String> takeOversAsked = new CopyOnWriteArrayList<>();
    private InstanceWatch watch;

    @AfterEach
    void close() {
        if (watch != null) {
            watch.close();
        }
        world.close();
    }

    /** Beats and lapses as told; the dead are listed per engine. */
    static final class FakeHeartbeats implements Heartbeats {
        final List<String> beats = new CopyOnWriteArrayList<>();
        final List<String> dead = new CopyOnWriteArrayList<>();
        final List<String> forgotten = new CopyOnWriteArrayList<>();
        volatile boolean nextBeatFindsItLapsed;

        @Override
        public boolean beat(String instance, String engineId, Duration ttl) {
            beats.add(instance);
            boolean alive = !nextBeatFindsItLapsed;
            nextBeatFindsItLapsed = false;
            return alive;
        }

        @Override
        public List<String> dead(String engineId) {
            return engineId.equals(ENGINE) ? List.copyOf(dead) : List.of();
        }

        @Override
        public Set<String> alive(String self) {
            return Set.of();
        }

        @Override
        public void forget(String instance) {
            forgotten.add(instance);
            dead.remove(instance);
        }
    }

    /** The world's store, but its takeOver hands over {@link #handedOver}. */
    private LeaseStore store() {
        return (LeaseStore) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {LeaseStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("takeOver")) {
                        takeOversAsked.add((String) args[0]);
                        return List.copyOf(handedOver);
                    }
                    try {
                        return method.invoke(world.store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private InstanceWatch watch(Duration interval) {
        watch = new InstanceWatch(heartbeats, store(), world.leases, "self", ENGINE, interval, world.scheduler);
        return watch;
    }

    @Test
    void aServerActsOnlyOnceItHasBeaten() {
        InstanceWatch watch = watch(Duration.ofSeconds(2));
        long before = System.nanoTime();
        assertThat(watch.actingSince(before)).isFalse();
        watch.start();
        assertThat(heartbeats.beats).containsExactly("self");
        assertThat(watch.actingSince(before)).isTrue();
    }

    @Test
    void aBeatThatFindsItsOwnHeartbeatLapsedStopsItActingOnWhatItSawBefore() throws InterruptedException {
        Duration interval = Duration.ofMillis(400);
        InstanceWatch watch = watch(interval);
        watch.start();
        long sawBefore = System.nanoTime();
        heartbeats.nextBeatFindsItLapsed = true; // another server may have declared it dead meanwhile
        Thread.sleep(interval.toMillis());
        world.scheduler.advance(interval.dividedBy(4)); // the next look: a beat is due
        assertThat(heartbeats.beats).hasSize(2);
        assertThat(watch.actingSince(sawBefore))
                .as("what it saw before the lapse is stale")
                .isFalse();
        assertThat(watch.actingSince(System.nanoTime()))
                .as("what it sees from now on counts")
                .isTrue();
    }

    @Test
    void theLeasesOfADeadServerAreTakenOverAndEndOnTimeAndTheDeadIsForgotten() {
        // A running lease the dead server held: in the store, with no timer in this server.
        LeaseId id = LeaseId.generate(world.clock.instant(), new Random(3));
        world.store.insert(
                Lease.provisioning(id, "busybox", world.clock.instant(), Duration.ofSeconds(30), Duration.ofHours(1)));
        assertThat(world.store.markRunning(id, "c-of-the-dead")).isTrue();
        handedOver.add(id);
        heartbeats.dead.addAll(List.of("dead-1", "self"));

        watch(Duration.ofSeconds(2)).start();
        assertThat(takeOversAsked).as("never itself").containsExactly("dead-1");
        assertThat(heartbeats.forgotten).containsExactly("dead-1");

        world.scheduler.advance(Duration.ofSeconds(29));
        assertThat(world.store.find(id).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
        world.scheduler.advance(Duration.ofSeconds(2));
        Lease ended = world.store.find(id).orElseThrow();
        assertThat(ended.state()).as("adopted: its expiry timer runs here now").isEqualTo(LeaseState.ENDED);
        assertThat(ended.endReason()).isEqualTo(EndReason.EXPIRED);
    }

    @Test
    void aDeadServerWithNothingLeftIsForgottenWithoutAdoptingAnything() {
        heartbeats.dead.add("dead-2");
        watch(Duration.ofSeconds(2)).start();
        assertThat(takeOversAsked).containsExactly("dead-2");
        assertThat(heartbeats.forgotten).containsExactly("dead-2");
        assertThat(new ArrayList<>(world.store.listLive())).isEmpty();
    }
}
