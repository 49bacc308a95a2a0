package io.containerlease.bench;

import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ManagedContainer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** An engine that does nothing, instantly: isolates the store and the timers for the 100,000-lease run. */
final class NullRuntime implements ContainerRuntime {
    private final AtomicLong ids = new AtomicLong();

    @Override
    public void ensureImage(ImageSpec spec) {}

    @Override
    public String createAndStart(ContainerSpec spec) {
        return "null-" + ids.incrementAndGet();
    }

    @Override
    public void remove(String nameOrId) {}

    @Override
    public boolean exists(String nameOrId) {
        return true;
    }

    @Override
    public List<ManagedContainer> listManaged(String instanceId) {
        return List.of();
    }

    @Override
    public void ping() {}

    @Override
    public void close() {}
}
