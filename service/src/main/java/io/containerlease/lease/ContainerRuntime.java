package io.containerlease.lease;

import java.util.List;

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

    /** Throws unless the engine answers. */
    void ping();

    @Override
    void close();
}
