package io.containerlease.containers;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Engine work that can wait gives the engine to the work people wait for: provisions and removals
 * under way. What can wait: telling a container its lease's deadline (it holds a later one, safe,
 * meanwhile: its hard deadline when new, what it was told before a restart when recovered) and a
 * resync's look at every live container. Measured: each deadline tell makes the engine run
 * {@code ps}, and beside a burst of provisions they cost 10 % of the throughput; beside a restart's
 * catch-up, the resync's inspects and the tells slowed every removal. It waits a step at a time, and
 * never more than {@link #MOST_STEPS} steps in all, so a service that is always busy still does it.
 */
public final class UrgentWorkFirst {
    /** How long background work waits before it looks again. */
    public static final Duration STEP = Duration.ofSeconds(1);
    /** The most steps one piece of background work waits (two minutes: a burst of a thousand provisions). */
    static final int MOST_STEPS = 120;

    /** For tests and tools: nothing ever waits. */
    public static final UrgentWorkFirst NEVER = new UrgentWorkFirst(() -> false);

    private final BooleanSupplier busy;

    /** @param busy whether provisions or removals are waiting or running now */
    public UrgentWorkFirst(BooleanSupplier busy) {
        this.busy = busy;
    }

    /** Whether work that has waited {@code stepsWaited} steps so far waits one more. */
    public boolean waitAnotherStep(int stepsWaited) {
        return stepsWaited < MOST_STEPS && busy.getAsBoolean();
    }
}
