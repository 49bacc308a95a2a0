package io.containerlease.bench;

import io.containerlease.config.ImageCatalog;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.runtime.docker.DockerContainerRuntime;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The baseline: the same work straight through the Docker API with docker-java, the same image and
 * the same hardening (it is the service's own runtime adapter, without the service around it).
 */
final class RawDocker implements AutoCloseable {
    private final DockerContainerRuntime runtime;
    private final ImageSpec busybox = ImageCatalog.builtIn().find("busybox").orElseThrow();
    private final String instance = "bench-raw-" + UUID.randomUUID();
    private final SecureRandom random = new SecureRandom();

    RawDocker(String dockerHost) {
        runtime = new DockerContainerRuntime(
                DockerClients.connect(dockerHost, Duration.ofSeconds(60)).client(),
                Duration.ofSeconds(60),
                RunLabels.labels(),
                instance);
    }

    /** Creates and starts one hardened busybox container; returns its name. */
    String createAndStart() {
        Instant now = Instant.now();
        Lease shape = Lease.provisioning(
                LeaseId.generate(now, random), "busybox", now, Duration.ofMinutes(30), Duration.ofHours(1));
        String name = ManagedLabels.containerName(shape.id());
        runtime.createAndStart(
                new ContainerSpec(name, busybox, java.util.Map.of(), ManagedLabels.forLease(shape, instance)));
        return name;
    }

    void remove(String name) {
        runtime.remove(name);
    }

    /**
     * Removes every container labelled with this instance id (the baseline's own, or a bench server's),
     * then the volumes that carried our helper into them (their server may be gone, or have stopped
     * before its containers did).
     */
    int removeInstance(String instanceId) {
        var left = runtime.listManaged(instanceId);
        left.forEach(c -> runtime.remove(c.containerId()));
        TestDocker.helperVolumesOf(instanceId).forEach(volume -> {
            try {
                TestDocker.client().removeVolumeCmd(volume).exec();
            } catch (RuntimeException inUse) {
                // still used by a container another instance's check will remove
            }
        });
        return left.size();
    }

    /** How many containers an instance (the baseline's own, or a bench server's) has on the engine. */
    int countOf(String instanceId) {
        return runtime.listManaged(instanceId).size();
    }

    /**
     * Containers of the instance without a live lease: orphans. A warm pool container whose lease id
     * the store has never seen waits in the pool; more of those than the pool holds are orphans too.
     */
    int containersWithoutLease(
            String instanceId, java.util.Set<String> liveLeases, java.util.Set<String> knownLeases, int poolSize) {
        var containers = runtime.listManaged(instanceId);
        long waiting = containers.stream()
                .filter(c -> c.pooled()
                        && c.running()
                        && c.leaseId()
                                .map(id -> !knownLeases.contains(id.value()))
                                .orElse(false))
                .count();
        long withoutLease = containers.stream()
                .filter(c ->
                        c.leaseId().map(id -> !liveLeases.contains(id.value())).orElse(true))
                .count();
        return (int) (withoutLease - waiting + Math.max(0, waiting - poolSize));
    }

    boolean hasContainer(String leaseId) {
        return runtime.exists(ManagedLabels.containerName(new LeaseId(leaseId)));
    }

    /** Removes every container this baseline made. */
    @Override
    public void close() {
        removeInstance(instance);
        runtime.close();
    }
}
