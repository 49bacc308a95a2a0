package io.containerlease.lease;

import java.io.Closeable;
import java.time.Instant;
import java.util.Optional;

/**
 * The engine's stream of container events (start, die, pause, health…), for this instance's
 * containers only. An event says only that something changed: whoever hears it asks the engine
 * for the container's state, so a missed or reordered event can never leave a wrong state behind.
 */
public interface ContainerEvents {

    /** Follows events from {@code since} until the handle is closed or the stream breaks. */
    Closeable watch(String instanceId, Instant since, Sink sink);

    interface Sink {
        /** Something happened to a container; {@code leaseId} is empty for a container without a valid lease label. */
        void event(String containerId, Optional<LeaseId> leaseId, String action, Instant at);

        /** The stream ended; {@code error} is null when it was closed on purpose. Called once. */
        void closed(Throwable error);
    }
}
