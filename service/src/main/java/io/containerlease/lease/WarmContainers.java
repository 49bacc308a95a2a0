package io.containerlease.lease;

import java.util.Optional;

/**
 * Containers made ahead of their leases (a warm pool): a provision one of them can serve takes it
 * instead of creating a container. Each container made here already carries the id its lease will
 * get (in its name and labels), so recording that lease is all a provision has left to do.
 */
public interface WarmContainers {
    /** A running container made for an image type, taken by one provision only. */
    record Warm(LeaseId leaseId, String containerId) {}

    /**
     * A ready container for the request, now the caller's alone; empty when none can serve it (the
     * image type has no pool, the request sets environment variables or secrets, which cannot be
     * given to a running container, or the pool is empty).
     */
    Optional<Warm> take(ImageSpec spec, ProvisionRequest request);

    /** Its lease is in the store: the container is the lease's now, no longer the pool's. */
    void used(Warm warm);

    /** The lease was refused (a quota) before anything was recorded: the container waits in the pool again. */
    void giveBack(Warm warm);

    /** Whether its lease was recorded is not known (the store failed): the container is removed, never given out again. */
    void discard(Warm warm);

    WarmContainers NONE = new WarmContainers() {
        @Override
        public Optional<Warm> take(ImageSpec spec, ProvisionRequest request) {
            return Optional.empty();
        }

        @Override
        public void used(Warm warm) {}

        @Override
        public void giveBack(Warm warm) {}

        @Override
        public void discard(Warm warm) {}
    };
}
