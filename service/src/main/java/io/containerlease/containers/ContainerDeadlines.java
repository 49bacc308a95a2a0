package io.containerlease.containers;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.lease.LeaseState;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each running lease's container ending itself at the lease's expiry plus the dead-man margin,
 * should no server be alive then. A container is created holding its hard deadline (the lease's cap
 * plus the margin), and holds it again whenever it starts; this tells it the tighter one after it
 * starts (created, taken from the warm pool, started again after a stop, an update or its restart
 * policy), after each extension, and when a server recovers the lease. Off every request's path: a
 * second after the change, on one worker thread, only the newest deadline per lease, retried with
 * backoff while the lease runs. A new lease's container and one recovered after a restart are told
 * once the provisions and removals under way are done ({@link UrgentWorkFirst}): the first holds its
 * hard deadline meanwhile, the second what it was told before.
 */
public final class ContainerDeadlines implements LeaseListener, Consumer<ContainerStates.Change>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContainerDeadlines.class);
    static final int ATTEMPTS = 5;
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    /**
     * How long after a start or an extension the container is told: telling costs the engine a
     * process listing, and provisions come in bursts; the container holds its hard deadline meanwhile.
     */
    static final Duration SETTLE = Duration.ofSeconds(1);

    /**
     * A deadline a lease's container should be told, how many times it was tried, whether it may wait
     * for provisions and removals under way, and how many steps it has waited for them.
     */
    private record Want(String container, Instant deadline, int attempt, int stepsWaited, boolean canWait) {
        Want waitedAStep() {
            return new Want(container, deadline, attempt, stepsWaited + 1, canWait);
        }

        Want again() {
            return new Want(container, deadline, attempt + 1, stepsWaited, canWait);
        }
    }

    private final ContainerRuntime runtime;
    private final LeasePolicy policy;
    private final Function<LeaseId, Optional<Lease>> leases;
    /** Where tells run, one at a time: each waits on the engine for up to two seconds. */
    private final Executor worker;

    private final TaskScheduler retries;
    private final UrgentWorkFirst urgentFirst;
    /** Leases whose container is being told; a newer want replaces an older one, which is then dropped. */
    private final Map<LeaseId, Want> wanted = new ConcurrentHashMap<>();
    /** What each container confirmed it holds, since it last started. */
    private final Map<LeaseId, Instant> held = new ConcurrentHashMap<>();

    public ContainerDeadlines(
            ContainerRuntime runtime,
            LeasePolicy policy,
            Function<LeaseId, Optional<Lease>> leases,
            TaskScheduler retries,
            UrgentWorkFirst urgentFirst) {
        this(
                runtime,
                policy,
                leases,
                Executors.newSingleThreadExecutor(
                        Thread.ofPlatform().daemon().name("container-deadlines").factory()),
                retries,
                urgentFirst);
    }

    /** With the worker given (tests run tells on their own thread). */
    public ContainerDeadlines(
            ContainerRuntime runtime,
            LeasePolicy policy,
            Function<LeaseId, Optional<Lease>> leases,
            Executor worker,
            TaskScheduler retries,
            UrgentWorkFirst urgentFirst) {
        this.runtime = runtime;
        this.policy = policy;
        this.leases = leases;
        this.worker = worker;
        this.retries = retries;
        this.urgentFirst = urgentFirst;
    }

    /**
     * When the lease's container ends itself if no server is alive: the tighter deadline once the
     * container confirmed it, otherwise (not told yet, or told by another server) the hard one, which
     * holds whatever happened.
     */
    public Instant deadlineOf(Lease lease) {
        Instant tight = policy.containerDeadline(lease);
        return tight.equals(held.get(lease.id())) ? tight : policy.containerHardDeadline(lease);
    }

    @Override
    public void onRunning(Lease lease) {
        tell(lease, true);
    }

    /** Its container kept what it was told before the restart: telling it again can wait for the catch-up. */
    @Override
    public void onRecovered(Lease lease) {
        tell(lease, true);
    }

    @Override
    public void onExtended(Lease lease) {
        tell(lease, false);
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        wanted.remove(id);
        held.remove(id);
    }

    /** A container that started again holds its hard deadline: it is told the tighter one again. */
    @Override
    public void accept(ContainerStates.Change change) {
        ContainerStatus from = change.from();
        ContainerStatus to = change.to();
        boolean wasUp = from.state() == ContainerStatus.State.RUNNING || from.state() == ContainerStatus.State.PAUSED;
        boolean started = to.state() == ContainerStatus.State.RUNNING
                && (!wasUp || (from.startedAt().isPresent() && !from.startedAt().equals(to.startedAt())));
        if (started) {
            held.remove(change.id());
            leases.apply(change.id()).ifPresent(lease -> tell(lease, false));
        } else if (to.state() == ContainerStatus.State.MISSING) {
            held.remove(change.id()); // removed (perhaps by another server, which ended its lease): nothing holds
        }
    }

    private void tell(Lease lease, boolean canWait) {
        if (lease.state() != LeaseState.RUNNING || lease.containerId() == null) {
            return;
        }
        Want want = new Want(lease.containerId(), policy.containerDeadline(lease), 0, 0, canWait);
        wanted.put(lease.id(), want);
        retries.schedule(SETTLE, () -> submit(() -> attempt(lease.id(), want)));
    }

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the server is stopping: its containers keep the deadline they hold
        }
    }

    private void attempt(LeaseId id, Want want) {
        if (wanted.get(id) != want) {
            return; // a newer deadline replaced it, or the lease is ending
        }
        if (want.canWait() && urgentFirst.waitAnotherStep(want.stepsWaited())) {
            Want later = want.waitedAStep();
            if (wanted.replace(id, want, later)) {
                retries.schedule(UrgentWorkFirst.STEP, () -> submit(() -> attempt(id, later)));
            }
            return;
        }
        String failure;
        try {
            if (runtime.holdDeadline(want.container(), want.deadline())) {
                if (wanted.remove(id, want)) { // still what is wanted: the lease did not end meanwhile
                    held.put(id, want.deadline());
                }
                return;
            }
            failure = "the container did not show the deadline (not running, or made before its helper took one)";
        } catch (RuntimeException e) {
            failure = e.getMessage();
        }
        if (want.attempt() + 1 >= ATTEMPTS) {
            if (wanted.remove(id, want)) {
                log.warn(
                        "a lease's container keeps its hard deadline: it could not be told the tighter one {} {} {}",
                        kv("leaseId", id.value()),
                        kv("deadline", want.deadline()),
                        kv("error", failure));
            }
            return;
        }
        Want again = want.again();
        if (wanted.replace(id, want, again)) {
            retries.schedule(FIRST_RETRY.multipliedBy(1L << want.attempt()), () -> submit(() -> attempt(id, again)));
        }
    }

    @Override
    public void close() {
        if (worker instanceof ExecutorService own) {
            own.shutdownNow();
        }
    }
}
