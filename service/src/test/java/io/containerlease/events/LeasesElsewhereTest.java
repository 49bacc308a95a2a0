package io.containerlease.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.config.ImageCatalog;
import io.containerlease.containers.ContainerStates;
import io.containerlease.lease.Caller;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.program.channel.ChannelFrame;
import io.containerlease.program.channel.Channels;
import io.containerlease.support.LeaseWorld;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What one server keeps for leases another server holds, followed from that server's events. */
class LeasesElsewhereTest {
    private final LeaseWorld world = new LeaseWorld(7);
    /** This server's view of containers: it hears of other servers' leases only through their events. */
    private final ContainerStates here = new ContainerStates(world.runtime);

    private final Channels channels =
            new Channels(ImageCatalog.builtIn(), world.streams, world.clock, new Channels.Observer() {
                @Override
                public void message(LeaseId id, ChannelFrame frame) {}

                @Override
                public void connection(LeaseId id, boolean connected) {}
            });
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        channels.close();
        world.close();
    }

    private LeaseListener recording(String name) {
        return new LeaseListener() {
            @Override
            public void onEnding(LeaseId id, EndReason reason) {
                heard.add(name + " " + id.value() + " " + reason.wireName());
            }
        };
    }

    private static Event event(String type, String leaseId, Map<String, Object> data) {
        return new Event(1, Instant.parse("2026-12-03T12:00:00Z"), type, leaseId, "ana", data);
    }

    @Test
    void aLeaseEndingElsewhereLosesWhatEachPartKeptHereEvenWhenOnePartFails() {
        LeaseListener failing = new LeaseListener() {
            @Override
            public void onEnding(LeaseId id, EndReason reason) {
                throw new IllegalStateException("this part is broken");
            }
        };
        var elsewhere = new LeasesElsewhere(
                world.store, here, channels, List.of(recording("first"), failing, recording("last")));
        String id = "01m8033dce7fxx86sz54ktzqb1";

        elsewhere.accept(event("lease.ending", id, Map.of("reason", "idle")));
        elsewhere.accept(event("lease.ended", id, Map.of()));

        assertThat(heard)
                .containsExactly(
                        "first " + id + " idle",
                        "last " + id + " idle",
                        "first " + id + " released",
                        "last " + id + " released");
    }

    @Test
    void aLeaseRunningElsewhereIsShownHere() {
        Lease lease = world.leases.provision(
                new ProvisionRequest("busybox", Duration.ofMinutes(30), Map.of()), Caller.ANONYMOUS_ADMIN);
        var elsewhere = new LeasesElsewhere(world.store, here, channels, List.of());
        assertThat(here.status(lease.id())).isEmpty();

        elsewhere.accept(event("lease.running", lease.id().value(), Map.of()));

        assertThat(here.tracked()).containsExactly(lease.id());
        assertThat(here.status(lease.id())).isPresent();
    }

    @Test
    void eventsWithoutAValidLeaseOrOfOtherKindsChangeNothing() {
        var elsewhere = new LeasesElsewhere(world.store, here, channels, List.of(recording("part")));
        elsewhere.accept(event("lease.ending", null, Map.of("reason", "idle")));
        elsewhere.accept(event("lease.ending", "../../etc", Map.of("reason", "idle")));
        elsewhere.accept(event("lease.running", "01m8033dce7fxx86sz54ktzqb1", Map.of())); // no such lease
        elsewhere.accept(event("activity", "01m8033dce7fxx86sz54ktzqb1", Map.of()));
        assertThat(heard).isEmpty();
        assertThat(here.tracked()).isEmpty();
    }

    @Test
    void aChannelMessageRebuildsTheFrameItCarried() {
        var frame = EventSources.channelFrameOf(event(
                "channel.message",
                "01m8033dce7fxx86sz54ktzqb1",
                Map.of("id", "f-1", "type", "progress", "payload", Map.of("done", 3))));
        assertThat(frame.id()).isEqualTo("f-1");
        assertThat(frame.type()).isEqualTo("progress");
        assertThat(frame.payload().get("done").asInt()).isEqualTo(3);
        var bare = EventSources.channelFrameOf(event("channel.message", "01m8033dce7fxx86sz54ktzqb1", Map.of()));
        assertThat(bare.id()).isNull();
        assertThat(bare.type()).isEqualTo("message");
    }
}
