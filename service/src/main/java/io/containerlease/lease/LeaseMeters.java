package io.containerlease.lease;

import java.time.Duration;

/** What the lease service reports as it works, for whoever measures it (Prometheus, in the service). */
public interface LeaseMeters {
    /** A lease reached running, this long after the request. */
    void provisioned(Duration latency);

    /** Removal of an expired lease's container started this long after its expiry. */
    void expiryRemovalStarted(Duration lag);

    /** An expired lease's container was confirmed gone this long after its expiry. */
    void expiredContainerRemoved(Duration lag);

    void leaseEnded(String reason);
}
