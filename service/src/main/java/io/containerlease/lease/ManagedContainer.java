package io.containerlease.lease;

import java.util.Optional;

/**
 * A container the engine reports with this instance's label.
 *
 * @param leaseId empty when the lease-id label is missing or malformed: such a container is an orphan
 * @param server  the server that made it, when its label says (containers from before clusters do not)
 * @param pooledAs the image type, for a container a server's warm pool made (its lease, if any, came later)
 */
public record ManagedContainer(
        String containerId,
        Optional<LeaseId> leaseId,
        boolean running,
        Optional<String> server,
        Optional<String> pooledAs) {
    public ManagedContainer(String containerId, Optional<LeaseId> leaseId, boolean running, Optional<String> server) {
        this(containerId, leaseId, running, server, Optional.empty());
    }

    public boolean pooled() {
        return pooledAs.isPresent();
    }

    public ManagedContainer(String containerId, Optional<LeaseId> leaseId, boolean running) {
        this(containerId, leaseId, running, Optional.empty());
    }
}
