package io.containerlease.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.containerlease.support.LoopbackBroadcast;
import io.containerlease.support.MutableClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two servers' event hubs joined by one broadcast: one event channel for all, each event once everywhere. */
class EventRelayTest {
    private final LoopbackBroadcast network = new LoopbackBroadcast();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final EventHub hubA = new EventHub(clock, 1000);
    private final EventHub hubB = new EventHub(clock, 1000);
    private final EventRelay relayA = new EventRelay(hubA, "a", network.endpoint());
    private final EventRelay relayB = new EventRelay(hubB, "b", network.endpoint());
    private final List<Event> heardByA = new CopyOnWriteArrayList<>();
    private final List<Event> heardByB = new CopyOnWriteArrayList<>();
    /** Ids start from the clock (so they grow across restarts): what each hub held before the test. */
    private final long startA = hubA.lastId();

    private final long startB = hubB.lastId();

    EventRelayTest() {
        relayA.onRemote(heardByA::add);
        relayB.onRemote(heardByB::add);
        relayA.start();
        relayB.start();
    }

    @AfterEach
    void close() {
        relayA.close();
        relayB.close();
    }

    @Test
    void anEventPublishedOnOneServerIsRecordedOnceOnEveryServer() {
        Map<String, Object> data = Map.of("reason", "expired", "nested", Map.of("n", 3));
        Event published = hubA.publish("lease.ended", "01m8033dce7fxx86sz54ktzqb1", "ana", data);
        assertThat(hubA.lastId() - startA)
                .as("its own echo is not recorded again")
                .isEqualTo(1);
        assertThat(hubB.lastId() - startB).isEqualTo(1);
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> heardByB.size() == 1);
        Event received = heardByB.get(0);
        assertThat(received.type()).isEqualTo(published.type());
        assertThat(received.leaseId()).isEqualTo(published.leaseId());
        assertThat(received.user()).isEqualTo("ana");
        assertThat(received.at()).isEqualTo(published.at());
        assertThat(received.data()).isEqualTo(data);
        assertThat(heardByA)
                .as("a server does not hear its own events as another's")
                .isEmpty();
    }

    @Test
    void aMessageNoServerOfOursWritesIsIgnored() {
        for (String odd : new String[] {
            "",
            "not json",
            "{}",
            "[1,2]",
            "{\"origin\":\"x\"}",
            "{\"origin\":\"x\",\"type\":\"t\",\"at\":\"yesterday\"}",
            "{\"origin\":\"x\",\"type\":null,\"at\":\"2026-12-03T12:00:00Z\"}"
        }) {
            assertThatCode(() -> network.inject(odd)).as("'%s'", odd).doesNotThrowAnyException();
        }
        assertThat(hubA.lastId()).isEqualTo(startA);
        assertThat(hubB.lastId()).isEqualTo(startB);
    }
}
