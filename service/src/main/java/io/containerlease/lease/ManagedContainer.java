package io.containerlease.lease;

import java.util.Optional;

/**
 * A container the engine reports with this instance's label.
 *
 * @param leaseId empty when the lease-id label is missing or malformed: such a container is an orphan
 */
public record ManagedContainer(String containerId, Optional<LeaseId> leaseId, boolean running) {}
