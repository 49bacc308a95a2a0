package io.containerlease.lease;

import java.util.concurrent.CompletableFuture;

/** The core's port onto the reaper's removal worker. */
public interface ContainerRemovals {
    /**
     * Removes the container, retrying with backoff until the engine confirms it gone. Calls for a
     * container whose removal is already under way share that removal. The future completes only
     * on success; it never completes exceptionally because of engine errors.
     */
    CompletableFuture<Void> removeUntilGone(String containerNameOrId);
}
