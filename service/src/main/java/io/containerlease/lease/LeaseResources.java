package io.containerlease.lease;

/**
 * What a lease's container mounts besides its image: prepared for the lease after it is stored and
 * before its container is created. Whoever prepares a resource also removes it when the lease ends
 * (as a {@link LeaseListener}) and sweeps those left by a crash.
 */
public interface LeaseResources {
    /** For image types that mount nothing of the service's. */
    LeaseResources NONE = (lease, spec) -> ContainerSpec.Mounts.NONE;

    /** @throws RuntimeException when a resource cannot be made; the lease then fails like a failed create */
    ContainerSpec.Mounts prepare(Lease lease, ImageSpec spec);

    /** The leases that hold resources now, whatever their state (a crash may have left some behind). */
    default java.util.Set<LeaseId> held() {
        return java.util.Set.of();
    }

    /** Removes whatever the lease held; idempotent. */
    default void release(LeaseId id) {}
}
