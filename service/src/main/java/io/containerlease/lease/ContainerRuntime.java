package io.containerlease.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the core needs from a container engine. Every method may throw
 * {@link RuntimeUnavailableException} when the engine cannot be reached, and
 * {@link RuntimeOperationException} when it answers with an error.
 */
public interface ContainerRuntime extends AutoCloseable {

    /**
     * Makes sure the spec's image is present, pulling it when its pull policy says so.
     *
     * @throws ImageUnavailableException when the image is missing and cannot be pulled
     */
    void ensureImage(ImageSpec spec);

    /** Creates and starts a container; returns the engine's container id. Not idempotent: names are unique. */
    String createAndStart(ContainerSpec spec);

    /** Removes a container (by name or id) with force. Idempotent: a container already gone is success. */
    void remove(String nameOrId);

    /** Whether a container with this name or id exists, in any state. */
    boolean exists(String nameOrId);

    /** Every container labelled as belonging to this service instance, in any state. */
    List<ManagedContainer> listManaged(String instanceId);

    /** The container's state as the engine reports it; empty when there is no such container. */
    Optional<EngineContainer> inspect(String nameOrId);

    /** Stops the container (SIGTERM, then SIGKILL after {@code timeout}). A stopped container is left as it is. */
    void stop(String nameOrId, Duration timeout);

    /** Starts a stopped container. A running one is left as it is. */
    void start(String nameOrId);

    /** Stops (as {@link #stop}) and starts the container again. */
    void restart(String nameOrId, Duration timeout);

    /** Freezes every process of a running container. */
    void pause(String nameOrId);

    /** Thaws a paused container. */
    void unpause(String nameOrId);

    /**
     * Tells a running container's helper (its first process) to end the container at {@code deadline},
     * through a path no process inside can write; the helper never moves it past the deadline the
     * container was created with. True once the helper shows that it holds it; false when it does not
     * (not running, or made before its helper took a deadline this way).
     */
    boolean holdDeadline(String nameOrId, Instant deadline);

    /** The deadline a running or paused container's helper holds now; empty when it holds none or the container is not running. */
    Optional<Instant> heldDeadline(String nameOrId);

    /** Throws unless the engine answers. */
    void ping();

    @Override
    void close();
}
