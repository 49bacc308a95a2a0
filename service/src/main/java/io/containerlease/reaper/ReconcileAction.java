package io.containerlease.reaper;

import io.containerlease.lease.LeaseId;
import java.util.Optional;

/** One repair the reconciler decided on. Values only: applying them is the reaper loop's job. */
public sealed interface ReconcileAction {

    /** A running lease whose expiry has passed (its timer was lost or late). */
    record Expire(LeaseId leaseId) implements ReconcileAction {}

    /** A running lease whose container was not listed: confirm, then end it as lost. */
    record CheckLost(LeaseId leaseId) implements ReconcileAction {}

    /** A lease left in provisioning by an earlier process: end it as failed and remove what it made. */
    record FailInterrupted(LeaseId leaseId) implements ReconcileAction {}

    /** A lease that started ending: finish removing its container and mark it ended. */
    record FinishEnding(LeaseId leaseId) implements ReconcileAction {}

    /** A channel directory or code volume (with its versions) that no live lease holds. */
    record ReleaseResources(LeaseId leaseId) implements ReconcileAction {}

    /** A labelled container that no live lease owns. */
    record RemoveOrphan(String containerId, Optional<LeaseId> leaseId) implements ReconcileAction {}
}
