package io.containerlease.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import io.containerlease.lease.Caller;
import io.containerlease.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The history is bounded in bytes and shared fairly: a flooding tenant trims its own events, never another's. */
class EventHistoryTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T10:00:00Z"));

    @Test
    void aFloodOfOneUserKeepsTheHistoryWithinItsBytesAndEvictsOnlyItsOwnEvents() {
        EventHub hub = new EventHub(clock, 1L << 20, 100_000, Duration.ofSeconds(30));
        long bobsFirst = hub.publish("lease.running", "l-bob", "bob", Map.of("imageType", "busybox"))
                .id();
        hub.publish("lease.extended", "l-bob", "bob", Map.of("expiryTime", "soon"));
        // Mallory's program floods: 50,000 frames of 1 KiB.
        String kib = "x".repeat(1024);
        long mallorysFirst = -1;
        for (int i = 0; i < 50_000; i++) {
            long id = hub.publish("channel.message", "l-mallory", "mallory", Map.of("payload", TextNode.valueOf(kib)))
                    .id();
            mallorysFirst = mallorysFirst < 0 ? id : mallorysFirst;
        }
        assertThat(hub.historyBytes()).isLessThanOrEqualTo(1L << 20);

        var bob = new EventHubTest.Recorder();
        bob.historyOnly = true;
        try (var s = hub.subscribe(filter("bob"), bobsFirst - 1, 10, bob)) {
            await().atMost(Duration.ofSeconds(5)).until(s::isClosed);
        }
        assertThat(bob.got)
                .as("bob's events, whole, and no gap")
                .containsExactly("lease.running#" + bobsFirst, "lease.extended#" + (bobsFirst + 1), "caught up");

        var mallory = new EventHubTest.Recorder();
        mallory.historyOnly = true;
        try (var s = hub.subscribe(filter("mallory"), mallorysFirst - 1, 10, mallory)) {
            await().atMost(Duration.ofSeconds(5)).until(s::isClosed);
        }
        assertThat(mallory.got.get(0)).as("mallory is told what she lost").startsWith("gap " + mallorysFirst + "-");
        assertThat(mallory.got).hasSizeBetween(100, 1000);
    }

    @Test
    void theLargestHolderLosesFirstWhoeverPublishesLast() {
        EventHistory history = new EventHistory(10_000, 1000);
        Event big = event(1, "mallory", "x".repeat(2000));
        history.add(big, EventSizes.of(big));
        Event big2 = event(2, "mallory", "x".repeat(2000));
        history.add(big2, EventSizes.of(big2));
        for (int i = 3; i < 6; i++) {
            Event small = event(i, "bob", "y");
            history.add(small, EventSizes.of(small));
        }
        assertThat(history.bytes()).isLessThanOrEqualTo(10_000);
        assertThat(history.count()).isEqualTo(4);
        var bobs = history.after(0, Optional.of("bob"));
        assertThat(bobs.droppedThrough())
                .as("bob lost nothing while mallory held more")
                .isEqualTo(-1);
        assertThat(history.after(0, Optional.of("mallory")).droppedThrough()).isEqualTo(1);
    }

    @Test
    void anEventsSizeGrowsWithItsPayloadAndBigNumbersCount() {
        long small = EventSizes.of(event(1, "u", "a"));
        assertThat(EventSizes.of(event(1, "u", "a".repeat(10_000)))).isGreaterThan(small + 19_000);
        var digits = new com.fasterxml.jackson.databind.node.BigIntegerNode(new java.math.BigInteger("9".repeat(1000)));
        assertThat(EventSizes.json(digits, Long.MAX_VALUE)).isGreaterThan(1000);
    }

    private static Event event(long id, String user, String text) {
        return new Event(id, Instant.EPOCH, "channel.message", "l", user, Map.of("payload", TextNode.valueOf(text)));
    }

    private static EventFilter filter(String user) {
        return new EventFilter(new Caller(user, false), Optional.empty(), Optional.empty(), Set.of());
    }
}
