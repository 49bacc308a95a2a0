package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RecordingControlSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The seed's CleanupManager properties, over random connect / close / error / failure sequences,
 * on the real lease core with a fake engine and clock.
 */
class DisconnectGraceProperties {

    sealed interface Op {}

    record Connect() implements Op {}
    /** A WebSocket's onClose. */
    record Close(int index) implements Op {}
    /** A WebSocket's onError, which Jetty may follow with onClose: both close the registration. */
    record Fail(int index) implements Op {}

    record Advance(int millis) implements Op {}

    record FailNextCleanups(int count) implements Op {}

    record FailNextRemovals(int count) implements Op {}

    /** (1) A grace timer starts when the last connection closes, due exactly one grace later. */
    @Property(tries = 200)
    void aTimerStartsWhenTheLastConnectionCloses(
            @ForAll("sequences") List<Op> ops, @ForAll @IntRange(min = 1, max = 120) int graceSeconds) {
        Harness h = new Harness(graceSeconds);
        h.run(ops, (op, before) -> {
            if (h.running() && before > 0 && h.open.isEmpty() && (op instanceof Close || op instanceof Fail)) {
                assertThat(h.deadline()).contains(h.world.clock.instant().plusSeconds(graceSeconds));
            }
        });
    }

    /** (2) When the timer fires, the lease ends as disconnected and its container is removed. */
    @Property(tries = 200)
    void theContainerIsCleanedWhenTheTimerFires(
            @ForAll("sequences") List<Op> ops, @ForAll @IntRange(min = 1, max = 120) int graceSeconds) {
        Harness h = new Harness(graceSeconds);
        h.run(ops, (op, before) -> {});
        h.closeAll();
        if (h.running() && h.everConnected) {
            h.world.scheduler.advance(Duration.ofSeconds(graceSeconds));
            h.world.scheduler.advance(Duration.ofMinutes(10)); // room for injected failures' retries
            assertThat(h.lease().state()).isEqualTo(LeaseState.ENDED);
            assertThat(h.lease().endReason()).isEqualTo(EndReason.DISCONNECTED);
            assertThat(h.containerExists()).isFalse();
        }
    }

    /** (3) A reconnect cancels the pending timer: the lease outlives the old deadline. */
    @Property(tries = 200)
    void aReconnectCancelsThePendingTimer(
            @ForAll("sequences") List<Op> ops, @ForAll @IntRange(min = 1, max = 120) int graceSeconds) {
        Harness h = new Harness(graceSeconds);
        h.run(ops, (op, before) -> {});
        Optional<Instant> pending = h.deadline();
        if (h.running() && pending.isPresent()) {
            h.connect();
            assertThat(h.deadline()).isEmpty();
            h.world.scheduler.advance(
                    Duration.between(h.world.clock.instant(), pending.get()).plusMinutes(10));
            assertThat(h.lease().state()).isEqualTo(LeaseState.RUNNING);
            assertThat(h.containerExists()).isTrue();
        }
    }

    /** (4) Once a lease ended, everything agrees: container gone, lease ended, sessions gone, counts zero. */
    @Property(tries = 200)
    void cleanupSideEffectsAreConsistent(
            @ForAll("sequences") List<Op> ops, @ForAll @IntRange(min = 1, max = 120) int graceSeconds) {
        Harness h = new Harness(graceSeconds);
        h.run(ops, (op, before) -> {
            if (h.lease().state() == LeaseState.ENDED) {
                assertThat(h.containerExists()).isFalse();
                assertThat(h.world.connections.count(h.id())).isZero();
                assertThat(h.world.connections.tracks(h.id())).isFalse();
                assertThat(h.world.connections.graceDeadline(h.id())).isEmpty();
                assertThat(h.world.idle.lastActivity(h.id())).isEmpty();
                for (Conn c : h.open) {
                    assertThat(c.channel().received("ended"))
                            .as("every live connection was told")
                            .isTrue();
                    assertThat(c.channel().closedWith).as("and closed normally").isEqualTo(1000);
                }
            }
        });
    }

    /** (5) With several connections, the timer starts only when the last one leaves. */
    @Property(tries = 200)
    void withSeveralConnectionsOnlyTheLastOneStartsTheTimer(
            @ForAll("sequences") List<Op> ops, @ForAll @IntRange(min = 1, max = 120) int graceSeconds) {
        Harness h = new Harness(graceSeconds);
        h.run(ops, (op, before) -> {
            if (h.running()) {
                assertThat(h.world.connections.count(h.id())).isEqualTo(h.open.size());
                if (!h.open.isEmpty()) {
                    assertThat(h.deadline())
                            .as("no timer while %d connections are open", h.open.size())
                            .isEmpty();
                }
            }
        });
    }

    /** (6) A failed cleanup (the end itself, or the container removal) is retried until it succeeds. */
    @Property(tries = 200)
    void aFailedCleanupIsRetriedUntilItSucceeds(
            @ForAll @IntRange(min = 1, max = 8) int failedEnds,
            @ForAll @IntRange(min = 0, max = 8) int failedRemovals,
            @ForAll @IntRange(min = 1, max = 120) int graceSeconds) {
        Harness h = new Harness(graceSeconds);
        h.connect();
        h.world.failNextSessionEnds.set(failedEnds);
        h.world.runtime.failNextRemovals.set(failedRemovals);
        h.open.remove(0).registration().close();
        h.world.scheduler.advance(Duration.ofSeconds(graceSeconds));
        for (int i = 0; i < failedEnds + failedRemovals + 2 && h.containerExists(); i++) {
            h.world.scheduler.advance(Duration.ofSeconds(30)); // the backoff's cap
        }
        assertThat(h.world.failNextSessionEnds.get()).isZero();
        assertThat(h.containerExists()).isFalse();
        assertThat(h.lease().state()).isEqualTo(LeaseState.ENDED);
        assertThat(h.lease().endReason()).isEqualTo(EndReason.DISCONNECTED);
    }

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 100);
        return Arbitraries.<Op>frequencyOf(
                        Tuple.of(5, Arbitraries.just(new Connect())),
                        Tuple.of(3, index.map(Close::new)),
                        Tuple.of(2, index.map(Fail::new)),
                        Tuple.of(5, Arbitraries.integers().between(0, 90_000).map(Advance::new)),
                        Tuple.of(1, Arbitraries.integers().between(1, 3).map(FailNextCleanups::new)),
                        Tuple.of(1, Arbitraries.integers().between(1, 3).map(FailNextRemovals::new)))
                .list()
                .ofMaxSize(40);
    }

    record Conn(LeaseConnections.Registration registration, RecordingControlSink channel) {}

    interface Check {
        void after(Op op, int openBefore);
    }

    /** One long lease with a disconnect grace, and the connections a test opened to it. */
    private static final class Harness {
        final LeaseWorld world = new LeaseWorld();
        final Lease initial;
        /** The connections the client side still holds open. */
        final List<Conn> open = new ArrayList<>();

        boolean everConnected;

        Harness(int graceSeconds) {
            initial = world.leases.provision(
                    new ProvisionRequest(
                            "busybox",
                            Duration.ofHours(23),
                            Map.of(),
                            new SessionRules(Optional.of(Duration.ofSeconds(graceSeconds)), Optional.empty())),
                    io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        }

        void run(List<Op> ops, Check check) {
            for (Op op : ops) {
                int before = open.size();
                apply(op);
                check.after(op, before);
            }
        }

        void apply(Op op) {
            switch (op) {
                case Connect c -> connect();
                case Close c -> {
                    if (!open.isEmpty()) {
                        open.remove(c.index() % open.size()).registration().close();
                    }
                }
                case Fail f -> {
                    if (!open.isEmpty()) {
                        LeaseConnections.Registration r =
                                open.remove(f.index() % open.size()).registration();
                        r.close();
                        r.close();
                    }
                }
                case Advance a -> world.scheduler.advance(Duration.ofMillis(a.millis()));
                case FailNextCleanups f -> world.failNextSessionEnds.addAndGet(f.count());
                case FailNextRemovals f -> world.runtime.failNextRemovals.addAndGet(f.count());
            }
        }

        void connect() {
            if (!running()) {
                return; // the API refuses connections to a lease that is not running
            }
            RecordingControlSink channel = new RecordingControlSink();
            open.add(new Conn(world.connections.open(lease(), channel).orElseThrow(), channel));
            everConnected = true;
        }

        void closeAll() {
            open.forEach(c -> c.registration().close());
            open.clear();
        }

        Lease lease() {
            return world.leases.get(initial.id(), io.containerlease.lease.Caller.ANONYMOUS_ADMIN);
        }

        io.containerlease.lease.LeaseId id() {
            return initial.id();
        }

        boolean running() {
            return lease().state() == LeaseState.RUNNING;
        }

        Optional<Instant> deadline() {
            return world.connections.graceDeadline(initial.id());
        }

        boolean containerExists() {
            return world.runtime
                    .container(ManagedLabels.containerName(initial.id()))
                    .isPresent();
        }
    }
}
