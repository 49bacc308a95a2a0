package io.containerlease.containers;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Engine work that can wait (telling a recovered container its deadline again, a resync's look at
 * every live container) gives the engine to removals under way first: after a restart hundreds of
 * expired leases are removed at once, and each look beside them made every removal slower. It waits
 * a step at a time, and never more than {@link #MOST_STEPS} steps in all, so a service that is always
 * removing something still does it.
 */
public final class RemovalsFirst {
    /** How long background work waits before it looks again. */
    public static final Duration STEP = Duration.ofSeconds(1);
    /** The most steps one piece of background work waits (half a minute). */
    static final int MOST_STEPS = 30;

    /** For tests and tools: nothing ever waits. */
    public static final RemovalsFirst NEVER = new RemovalsFirst(() -> false);

    private final BooleanSupplier removing;

    /** @param removing whether removals are waiting or running now */
    public RemovalsFirst(BooleanSupplier removing) {
        this.removing = removing;
    }

    /** Whether work that has waited {@code stepsWaited} steps so far waits one more. */
    public boolean waitAnotherStep(int stepsWaited) {
        return stepsWaited < MOST_STEPS && removing.getAsBoolean();
    }
}
