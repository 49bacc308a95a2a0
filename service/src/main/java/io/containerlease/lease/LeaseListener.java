package io.containerlease.lease;

/**
 * Hears what happens to leases, so live sessions can follow them. Called synchronously by the lease
 * service after the change is stored; an exception here is logged and never undoes the change.
 */
public interface LeaseListener {
    /** The lease is recorded and its container is about to be created. */
    default void onProvisioning(Lease lease) {}

    /** The lease's container is running, just provisioned. */
    default void onRunning(Lease lease) {}

    /**
     * The lease is running in a warm pool's container, made (and running) before the lease: nothing
     * about it is new but its lease. Like {@link #onRunning} unless a listener can save work.
     */
    default void onRunningFromPool(Lease lease) {
        onRunning(lease);
    }

    /** The lease survived a restart of the server: its container runs, but every connection to it was cut. */
    default void onRecovered(Lease lease) {
        onRunning(lease);
    }

    /** The lease's expiry moved. */
    default void onExtended(Lease lease) {}

    /** The lease started ending (its container is about to be removed, or already is). Called once per lease. */
    default void onEnding(LeaseId id, EndReason reason) {}

    /** The lease has ended: its container is gone. Called once per lease, after {@link #onEnding}. */
    default void onEnded(Lease lease) {}
}
