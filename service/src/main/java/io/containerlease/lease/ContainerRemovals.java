package io.containerlease.lease;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** The core's port onto the reaper's removal worker. */
public interface ContainerRemovals {
    /**
     * Removes the container, retrying with backoff until the engine confirms it gone. Calls for a
     * container whose removal is already under way share that removal. The future completes only
     * on success; it never completes exceptionally because of engine errors.
     *
     * @param due when the container was due to go (an expiry; a release's moment): when many wait for
     *     the engine, the earliest due goes first, whatever the order they were asked in
     */
    CompletableFuture<Void> removeUntilGone(String containerNameOrId, Instant due);

    /** Whether removals are waiting or running now (work that can wait leaves the engine to them). */
    boolean underWay();
}
