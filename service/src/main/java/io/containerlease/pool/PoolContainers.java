package io.containerlease.pool;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of the warm pool: a waiting container made for the id of a lease that does not
 * exist yet (with what is made beside it, and its own deadline), this server's pool containers from
 * before, whether one still runs, and its removal.
 */
final class PoolContainers {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

    private final LeaseService.Containers containers;
    private final LeaseStore store;
    private final Duration deadlineAfter;
    private final String build;

    /**
     * @param deadlineAfter how long after it is made a pool container ends by itself, leased or not
     * @param build         names this build of the service (see {@link PoolSettings})
     */
    PoolContainers(LeaseService.Containers containers, LeaseStore store, Duration deadlineAfter, String build) {
        this.containers = containers;
        this.store = store;
        this.deadlineAfter = deadlineAfter;
        this.build = build;
    }

    /** What a container of {@code type} is made from now: its spec and this build, as a digest. */
    String madeAs(String type) {
        String spec = containers.catalog().find(type).map(Object::toString).orElse("");
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((spec + "\n" + build).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Makes and starts a waiting container of {@code type} for the lease {@code id} will be; its container id. */
    String make(LeaseId id, String type, Instant madeAt) {
        ImageSpec spec = containers.catalog().find(type).orElseThrow();
        containers.images().ensure(spec);
        // The lease this container will belong to does not exist yet: its resources are made for its id.
        Lease future = Lease.provisioning(id, type, madeAt, Duration.ofMinutes(1), Duration.ofMinutes(1));
        ContainerSpec.Mounts mounts = containers.resources().prepare(future, spec);
        return containers
                .runtime()
                .createAndStart(new ContainerSpec(
                        ManagedLabels.containerName(id),
                        spec,
                        Map.of(),
                        ManagedLabels.forPool(id, type, madeAt, store.instanceId(), store.serverId(), madeAs(type)),
                        Map.of(),
                        mounts,
                        Optional.of(madeAt.plus(deadlineAfter))));
    }

    /** This server's pool containers on the engine, as its labels say (leased or not, running or not). */
    List<ManagedContainer> ours() {
        return containers.runtime().listManaged(store.instanceId()).stream()
                .filter(c -> c.pooledAs().isPresent()
                        && c.leaseId().isPresent()
                        && c.server().map(store.serverId()::equals).orElse(false))
                .toList();
    }

    /** Whether the container made for {@code id} still runs (one that vanished does not). */
    boolean running(LeaseId id) {
        return containers
                .runtime()
                .inspect(ManagedLabels.containerName(id))
                .map(c -> c.state() == EngineContainer.State.RUNNING)
                .orElse(false);
    }

    /** Removes the container made for {@code id} and what was made beside it; a failure is the reconciler's to finish. */
    void removeQuietly(LeaseId id) {
        try {
            containers.runtime().remove(ManagedLabels.containerName(id));
            containers.resources().release(id);
        } catch (RuntimeException e) {
            log.warn(
                    "could not remove a warm pool container; the reconciler will {} {}",
                    kv("leaseId", id.value()),
                    kv("error", e.getMessage()));
        }
    }
}
