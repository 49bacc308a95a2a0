package io.containerlease.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.lease.Caller;
import io.containerlease.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EventHubTest {
    private static final Caller ADMIN = new Caller("root", true);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));

    /** A subscriber that writes down what it gets, and can be held up to fall behind. */
    static final class Recorder implements EventSubscription.Sink {
        final List<String> got = new CopyOnWriteArrayList<>();
        volatile CountDownLatch hold = new CountDownLatch(0);
        final java.util.concurrent.atomic.AtomicInteger heartbeats = new java.util.concurrent.atomic.AtomicInteger();
        /** Reads the held events only: writes down where they end, and ends there. */
        volatile boolean historyOnly;

        @Override
        public boolean caughtUp() {
            if (historyOnly) {
                got.add("caught up");
            }
            return !historyOnly;
        }

        @Override
        public void heartbeat() {
            heartbeats.incrementAndGet();
        }

        @Override
        public void event(Event event) throws InterruptedException {
            hold.await();
            got.add(event.type() + "#" + event.id());
        }

        @Override
        public void gap(long from, long to) {
            got.add("gap " + from + "-" + to);
        }

        @Override
        public void dropped(long count) {
            got.add("dropped " + count);
        }
    }

    private static EventFilter all(Caller caller) {
        return new EventFilter(caller, Optional.empty(), Optional.empty(), Set.of());
    }

    @Test
    void aResumeGetsEveryHeldEventAfterItsIdExactlyOnceThenTheNewOnes() {
        EventHub hub = new EventHub(clock, 100);
        long first = hub.publish("a", "l1", "alice", Map.of()).id();
        hub.publish("b", "l1", "alice", Map.of());
        Recorder r = new Recorder();
        try (var s = hub.subscribe(all(ADMIN), first, 10, r)) {
            hub.publish("c", "l1", "alice", Map.of());
            await().atMost(Duration.ofSeconds(5)).until(() -> r.got.size() == 2);
            assertThat(r.got).containsExactly("b#" + (first + 1), "c#" + (first + 2));
        }
    }

    @Test
    void aReplayLargerThanTheQueueArrivesWholeThenTheSubscriberHearsItIsCaughtUp() {
        EventHub hub = new EventHub(clock, 100);
        long first = hub.publish("e", null, "alice", Map.of()).id();
        for (int i = 0; i < 29; i++) {
            hub.publish("e", null, "alice", Map.of());
        }
        Recorder r = new Recorder();
        r.historyOnly = true;
        try (var s = hub.subscribe(all(ADMIN), first - 1, 5, r)) {
            await().atMost(Duration.ofSeconds(5)).until(s::isClosed);
            assertThat(r.got).hasSize(31).last().isEqualTo("caught up");
            assertThat(r.got).doesNotContain("dropped");
            hub.publish("after", null, "alice", Map.of());
            assertThat(r.got)
                    .as("a subscriber that ended at its catch-up hears nothing new")
                    .hasSize(31);
        }
    }

    @Test
    void anIdOlderThanTheHistoryGetsAGapNotSilence() {
        EventHub hub = new EventHub(clock, 3);
        long first = hub.publish("e", null, "alice", Map.of()).id();
        for (int i = 0; i < 5; i++) {
            hub.publish("e", null, "alice", Map.of());
        }
        Recorder r = new Recorder();
        try (var s = hub.subscribe(all(ADMIN), first, 10, r)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> r.got.size() == 4);
            assertThat(r.got.get(0)).isEqualTo("gap " + (first + 1) + "-" + (first + 2));
            assertThat(r.got.subList(1, 4)).containsExactly("e#" + (first + 3), "e#" + (first + 4), "e#" + (first + 5));
        }
    }

    @Test
    void aSlowSubscriberLosesItsOldestEventsAndIsToldHowMany() throws Exception {
        EventHub hub = new EventHub(clock, 1000);
        Recorder r = new Recorder();
        r.hold = new CountDownLatch(1);
        try (var s = hub.subscribe(all(ADMIN), -1, 5, r)) {
            hub.publish("first", null, "alice", Map.of());
            Thread.sleep(100); // the deliverer has taken "first" and waits inside the sink
            for (int i = 0; i < 20; i++) {
                hub.publish("e", null, "alice", Map.of());
            }
            r.hold.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> r.got.size() == 7);
            assertThat(r.got.get(1)).isEqualTo("dropped 15");
            assertThat(r.got).hasSize(7).last().asString().startsWith("e#");
        }
    }

    @Test
    void aUserSeesOnlyTheirOwnAndAnAdminNarrowsByUserLeaseAndType() {
        EventHub hub = new EventHub(clock, 100);
        Recorder alice = new Recorder();
        Recorder adminForBob = new Recorder();
        Recorder onlyEnded = new Recorder();
        try (var a = hub.subscribe(all(new Caller("alice", false)), -1, 10, alice);
                var b = hub.subscribe(
                        new EventFilter(ADMIN, Optional.of("bob"), Optional.empty(), Set.of()), -1, 10, adminForBob);
                var c = hub.subscribe(
                        new EventFilter(ADMIN, Optional.empty(), Optional.of("l2"), Set.of("lease.ended")),
                        -1,
                        10,
                        onlyEnded)) {
            hub.publish("lease.running", "l1", "alice", Map.of());
            hub.publish("lease.running", "l2", "bob", Map.of());
            hub.publish("lease.ended", "l2", "bob", Map.of());
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> alice.got.size() == 1 && adminForBob.got.size() == 2 && onlyEnded.got.size() == 1);
            assertThat(alice.got.get(0)).startsWith("lease.running#");
            assertThat(onlyEnded.got.get(0)).startsWith("lease.ended#");
        }
    }

    @Test
    void aQuietStreamGetsHeartbeatsAndABusyOneDoesNot() throws Exception {
        EventHub hub = new EventHub(clock, 10, Duration.ofMillis(50));
        Recorder quiet = new Recorder();
        try (var s = hub.subscribe(all(ADMIN), -1, 10, quiet)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> quiet.heartbeats.get() >= 3);
        }
        EventHub slow = new EventHub(clock, 10, Duration.ofSeconds(30));
        Recorder busy = new Recorder();
        try (var s = slow.subscribe(all(ADMIN), -1, 10, busy)) {
            for (int i = 0; i < 5; i++) {
                slow.publish("e", null, "alice", Map.of());
                Thread.sleep(20);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> busy.got.size() == 5);
            assertThat(busy.heartbeats.get()).isZero();
        }
    }

    @Test
    void idsGoOnIncreasingAcrossARestart() {
        long before =
                new EventHub(clock, 10).publish("e", null, "alice", Map.of()).id();
        clock.advance(Duration.ofSeconds(1));
        long after =
                new EventHub(clock, 10).publish("e", null, "alice", Map.of()).id();
        assertThat(after).isGreaterThan(before);
    }
}
