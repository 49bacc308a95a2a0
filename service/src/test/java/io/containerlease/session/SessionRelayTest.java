package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.cluster.Broadcast;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.SessionRules;
import io.containerlease.schedule.RetryPolicy;
import io.containerlease.support.ManualScheduler;
import io.containerlease.support.MutableClock;
import io.containerlease.support.RecordingChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Two servers' session layers joined by a hand-written broadcast: a lease's connections count wherever they are. */
class SessionRelayTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Every message reaches every listener at once, the sender's own included, as pub/sub does. */
    private static final class Wire implements Broadcast {
        final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

        @Override
        public void send(String message) {
            listeners.forEach(l -> l.accept(message));
        }

        @Override
        public void listen(Consumer<String> receiver) {
            listeners.add(receiver);
        }

        @Override
        public void close() {}
    }

    private record Server(LeaseConnections connections, IdleTimers idle, SessionRelay relay) {}

    private final MutableClock clock = new MutableClock(T0);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final Wire wire = new Wire();
    private final List<LeaseId> endedByGrace = new CopyOnWriteArrayList<>();

    private Server server(String name) {
        var connections = new LeaseConnections(scheduler, clock, RetryPolicy.REMOVAL, new Random(1), endedByGrace::add, new EndedLeases());
        var idle = new IdleTimers(scheduler, clock, RetryPolicy.REMOVAL, new Random(2), id -> {});
        var relay = new SessionRelay(name, wire, connections, idle, scheduler, clock);
        relay.start();
        return new Server(connections, idle, relay);
    }

    private final Lease lease = Lease.provisioning(LeaseId.generate(T0, new Random(3)), "busybox", T0, Duration.ofHours(1),
            Duration.ofHours(2), new SessionRules(Optional.of(Duration.ofSeconds(30)), Optional.of(Duration.ofMinutes(10))));

    @Test
    void aConnectionThroughAnotherServerKeepsTheGraceFromStarting() {
        Server a = server("a");
        Server b = server("b");
        var throughA = a.connections().open(lease, new RecordingChannel()).orElseThrow();
        var throughB = b.connections().open(lease, new RecordingChannel()).orElseThrow();
        assertThat(b.relay().count(lease.id())).isEqualTo(1);

        throughB.close();
        assertThat(b.connections().graceDeadline(lease.id())).as("a is still connected").isEmpty();
        throughA.close();
        assertThat(a.connections().graceDeadline(lease.id())).isPresent();
        assertThat(b.connections().graceDeadline(lease.id())).as("b hears that the last one went").isPresent();

        // Coming back through either server stops the grace on both.
        b.connections().open(lease, new RecordingChannel()).orElseThrow();
        assertThat(a.connections().graceDeadline(lease.id())).isEmpty();
        assertThat(b.connections().graceDeadline(lease.id())).isEmpty();
        scheduler.advance(Duration.ofSeconds(40));
        assertThat(endedByGrace).isEmpty();
    }

    @Test
    void aServerThatStopsReportingStopsCounting() {
        Server a = server("a");
        Server b = server("b");
        b.connections().open(lease, new RecordingChannel()).orElseThrow().close();
        wire.listeners.clear(); // from now on b hears nothing: a's report is never renewed
        wire.listen(b.relay()::receive);
        assertThat(b.connections().graceDeadline(lease.id())).isPresent();
        b.relay().receive("c a " + lease.id().value() + " 1");
        assertThat(b.connections().graceDeadline(lease.id())).isEmpty();
        scheduler.advance(SessionRelay.STALE.plus(SessionRelay.REFRESH));
        assertThat(b.connections().graceDeadline(lease.id())).as("a's report went stale").isPresent();
    }

    @Test
    void activityThroughOneServerCountsOnTheOther() {
        Server a = server("a");
        Server b = server("b");
        a.idle().start(lease);
        clock.advance(Duration.ofMinutes(5));
        b.idle().touch(lease.id());
        assertThat(a.idle().lastActivity(lease.id())).contains(clock.instant());
    }
}
