package io.containerlease;

import io.containerlease.containers.ContainerControl;
import io.containerlease.containers.ContainerDeadlines;
import io.containerlease.containers.ContainerReactions;
import io.containerlease.containers.ContainerStates;
import io.containerlease.containers.UrgentWorkFirst;
import io.containerlease.containers.UsageWatch;
import java.time.Duration;

/** What each lease's container is doing, what is done about it, its control, its usage and its own deadline. */
record ContainerAssembly(
        ContainerStates states,
        ContainerDeadlines deadlines,
        ContainerControl control,
        UsageWatch usage,
        UrgentWorkFirst urgentFirst) {
    /** Containers whose usage is measured at once, and how long one is measured after its last reader left. */
    private static final int USAGE_STREAMS = 32;

    private static final Duration USAGE_IDLE = Duration.ofSeconds(30);

    static ContainerAssembly build(CoreAssembly core, EventAssembly events, SessionAssembly sessions, Started started) {
        var leases = core.leases();
        var runtime = core.engine().runtime();
        // Each live lease's container state, kept current from the engine's events (one stream for all).
        var catalog = core.catalog();
        var containers = new ContainerStates(
                runtime,
                type -> catalog.find(type)
                        .map(spec -> spec.lifecycle().healthCheck().isPresent())
                        .orElse(false));
        leases.addListener(containers);
        containers.addListener(new ContainerReactions(
                leases, core.store(), core.catalog(), sessions.connections(), sessions.logs(), sessions.idle()));
        containers.addListener(events.sources()::containerChanged);
        // Deadline tells and resyncs wait while provisions and removals use the engine.
        var urgentFirst = new UrgentWorkFirst(() ->
                leases.provisionsUnderWay() || core.containers().removals().underWay());
        // Each running container ends itself at its lease's expiry plus the margin, should no server be alive then.
        var deadlines = started.add(new ContainerDeadlines(
                runtime, core.base().policy(), core.store()::find, core.scheduler(), urgentFirst));
        leases.addListener(deadlines);
        containers.addListener(deadlines);
        var control = new ContainerControl(leases, runtime, containers);
        // Resource usage, measured only while someone asks.
        var usage = started.add(new UsageWatch(
                core.engine().usage(), core.scheduler(), core.base().clock(), USAGE_STREAMS, USAGE_IDLE));
        leases.addListener(usage);
        core.metrics().trackContainers(containers::countByState, usage::latestOfAll);
        return new ContainerAssembly(containers, deadlines, control, usage, urgentFirst);
    }
}
