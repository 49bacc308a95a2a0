package io.containerlease.support;

import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.EngineContainer.State;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageUnavailableException;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory container engine with switches for the failures the core must survive; or, made
 * {@link #forgetful()}, one that keeps nothing at all, so the bench can measure the core alone at a
 * hundred thousand leases.
 */
public final class FakeRuntime implements ContainerRuntime {
    private final boolean remembers;
    /** name → container */
    private final Map<String, Container> containers = new LinkedHashMap<>();

    private final Set<String> images = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    public volatile boolean unavailable;
    /** How many of the next removals fail (as if the engine answered 500). */
    public final AtomicInteger failNextRemovals = new AtomicInteger();

    public final AtomicInteger removeCalls = new AtomicInteger();
    /** When each removal was attempted, by {@link #clock}. */
    public final List<java.time.Instant> removeTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** What each removal was asked for, in order. */
    public final List<String> removeNames = new java.util.concurrent.CopyOnWriteArrayList<>();

    public volatile java.time.InstantSource clock = java.time.InstantSource.system();
    /** Runs as a container is being created, before it exists: lets a test race something against provisioning. */
    public volatile java.util.function.Consumer<ContainerSpec> duringCreate = spec -> {};
    /** Makes creation fail with an error text that quotes the whole environment, as a chatty engine might. */
    public volatile boolean echoEnvInErrors;

    private final Map<String, State> states = new java.util.HashMap<>();
    private final Map<String, Integer> exitCodes = new java.util.HashMap<>();
    /** What each container's health check says, for containers whose test gave it one. */
    private final Map<String, String> health = new java.util.HashMap<>();
    /** What each container's helper was told since it last started; a start forgets it, as a real helper's arguments do. */
    private final Map<String, java.time.Instant> told = new java.util.HashMap<>();

    public final AtomicInteger holdCalls = new AtomicInteger();
    /** How many times a container's state was asked for. */
    public final AtomicInteger inspectCalls = new AtomicInteger();

    public final AtomicInteger restartCalls = new AtomicInteger();

    public record Container(
            String id,
            String name,
            Map<String, String> labels,
            Map<String, String> env,
            Map<String, String> secretFiles,
            java.util.Optional<java.time.Instant> deadline) {}

    public FakeRuntime() {
        this(true);
    }

    private FakeRuntime(boolean remembers) {
        this.remembers = remembers;
    }

    /** Accepts every image and container at once and keeps none: every container exists, none is listed. */
    public static FakeRuntime forgetful() {
        return new FakeRuntime(false);
    }

    public FakeRuntime withImage(String image) {
        images.add(image);
        return this;
    }

    @Override
    public void ensureImage(ImageSpec spec) {
        checkUp();
        if (remembers && !images.contains(spec.image())) {
            throw new ImageUnavailableException("image " + spec.image() + " missing", null);
        }
    }

    @Override
    public synchronized String createAndStart(ContainerSpec spec) {
        checkUp();
        duringCreate.accept(spec);
        if (echoEnvInErrors) {
            throw new io.containerlease.lease.RuntimeOperationException(
                    "engine rejected the container with env " + spec.env(), null);
        }
        if (containers.containsKey(spec.name())) {
            throw new IllegalStateException("name in use: " + spec.name());
        }
        String id = "c" + ids.incrementAndGet();
        if (remembers) {
            containers.put(
                    spec.name(),
                    new Container(id, spec.name(), spec.labels(), spec.env(), spec.secretFiles(), spec.deadline()));
        }
        return id;
    }

    @Override
    public synchronized void remove(String nameOrId) {
        removeCalls.incrementAndGet();
        if (!remembers) {
            return;
        }
        removeTimes.add(clock.instant());
        removeNames.add(nameOrId);
        checkUp();
        if (failNextRemovals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new io.containerlease.lease.RuntimeOperationException("injected removal failure", null);
        }
        containers.values().removeIf(c -> {
            boolean match = c.name().equals(nameOrId) || c.id().equals(nameOrId);
            if (match) {
                states.remove(c.name());
                exitCodes.remove(c.name());
            }
            return match;
        });
    }

    @Override
    public synchronized boolean exists(String nameOrId) {
        checkUp();
        return !remembers
                || containers.values().stream().anyMatch(c -> c.name().equals(nameOrId) || c.id().equals(nameOrId));
    }

    @Override
    public synchronized List<ManagedContainer> listManaged(String instanceId) {
        checkUp();
        List<ManagedContainer> out = new ArrayList<>();
        for (Container c : containers.values()) {
            if (instanceId.equals(c.labels().get(ManagedLabels.INSTANCE))) {
                out.add(ManagedContainer.fromLabels(
                        c.id(), states.getOrDefault(c.name(), State.RUNNING) == State.RUNNING, c.labels()));
            }
        }
        return out;
    }

    @Override
    public synchronized Optional<io.containerlease.lease.EngineContainer> inspect(String nameOrId) {
        checkUp();
        inspectCalls.incrementAndGet();
        Optional<Container> found = containers.values().stream()
                .filter(c -> c.name().equals(nameOrId) || c.id().equals(nameOrId))
                .findFirst();
        if (found.isEmpty()) {
            return remembers
                    ? Optional.empty()
                    : Optional.of(engine(nameOrId, State.RUNNING, Optional.empty(), Optional.empty()));
        }
        Container c = found.get();
        return Optional.of(engine(
                c.id(),
                states.getOrDefault(c.name(), State.RUNNING),
                Optional.ofNullable(exitCodes.get(c.name())),
                Optional.ofNullable(health.get(c.name()))));
    }

    /** The container's health check says {@code status} from now on ({@code healthy}, {@code unhealthy}...). */
    public synchronized void health(String name, String status) {
        health.put(name, status);
    }

    private static io.containerlease.lease.EngineContainer engine(
            String id, State state, Optional<Integer> exitCode, Optional<String> health) {
        return new io.containerlease.lease.EngineContainer(
                id,
                state,
                state == State.EXITED ? exitCode.or(() -> Optional.of(0)) : Optional.empty(),
                false,
                Optional.empty(),
                Optional.empty(),
                0,
                health);
    }

    @Override
    public synchronized void stop(String nameOrId, java.time.Duration timeout) {
        move(nameOrId, State.EXITED, State.RUNNING, State.PAUSED, State.EXITED, State.CREATED);
        exitCodes.put(nameOf(nameOrId), 143);
    }

    @Override
    public synchronized void start(String nameOrId) {
        move(nameOrId, State.RUNNING, State.EXITED, State.CREATED, State.RUNNING);
    }

    @Override
    public synchronized void restart(String nameOrId, java.time.Duration timeout) {
        restartCalls.incrementAndGet();
        move(nameOrId, State.RUNNING, State.RUNNING, State.EXITED, State.CREATED);
    }

    @Override
    public synchronized boolean holdDeadline(String nameOrId, java.time.Instant deadline) {
        holdCalls.incrementAndGet();
        checkUp();
        Optional<Container> found = containers.values().stream()
                .filter(c -> c.name().equals(nameOrId) || c.id().equals(nameOrId))
                .findFirst();
        if (found.isEmpty()
                || found.get().deadline().isEmpty()
                || states.getOrDefault(found.get().name(), State.RUNNING) != State.RUNNING) {
            return false;
        }
        java.time.Instant cap = found.get().deadline().get();
        told.put(found.get().name(), deadline.isAfter(cap) ? cap : deadline);
        return !deadline.isAfter(cap);
    }

    @Override
    public synchronized Optional<java.time.Instant> heldDeadline(String nameOrId) {
        checkUp();
        Optional<Container> found = containers.values().stream()
                .filter(c -> c.name().equals(nameOrId) || c.id().equals(nameOrId))
                .findFirst();
        if (found.isEmpty()
                || !java.util.Set.of(State.RUNNING, State.PAUSED)
                        .contains(states.getOrDefault(found.get().name(), State.RUNNING))) {
            return Optional.empty();
        }
        return Optional.ofNullable(told.get(found.get().name()))
                .or(() -> found.get().deadline());
    }

    @Override
    public synchronized void pause(String nameOrId) {
        move(nameOrId, State.PAUSED, State.RUNNING);
    }

    @Override
    public synchronized void unpause(String nameOrId) {
        move(nameOrId, State.RUNNING, State.PAUSED);
    }

    /** The container's program ends by itself, with this exit code. */
    public synchronized void exitByItself(String name, int exitCode) {
        states.put(name, State.EXITED);
        exitCodes.put(name, exitCode);
    }

    /** Moves a container to {@code to} if it is in one of {@code from}; otherwise refuses, as the engine would (409). */
    private void move(String nameOrId, State to, State... from) {
        checkUp();
        String name = nameOf(nameOrId);
        State now = states.getOrDefault(name, State.RUNNING);
        if (!java.util.Arrays.asList(from).contains(now)) {
            throw new io.containerlease.lease.RuntimeOperationException("container " + name + " is " + now, null);
        }
        if (to == State.RUNNING && now != State.PAUSED) {
            told.remove(name); // started again: its helper holds its creation deadline
        }
        states.put(name, to);
        if (to != State.EXITED) {
            exitCodes.remove(name);
        }
    }

    private String nameOf(String nameOrId) {
        return containers.values().stream()
                .filter(c -> c.name().equals(nameOrId) || c.id().equals(nameOrId))
                .map(Container::name)
                .findFirst()
                .orElseThrow(() ->
                        new io.containerlease.lease.RuntimeOperationException("no such container " + nameOrId, null));
    }

    @Override
    public void ping() {
        checkUp();
    }

    @Override
    public void close() {}

    /** Adds a container behind the service's back (an orphan, or a stranger's). */
    public synchronized void plant(String name, Map<String, String> labels) {
        String id = "c" + ids.incrementAndGet();
        containers.put(name, new Container(id, name, labels, Map.of(), Map.of(), java.util.Optional.empty()));
    }

    /** Deletes a container behind the service's back. */
    public synchronized void vanish(String name) {
        containers.remove(name);
    }

    public synchronized Optional<Container> container(String name) {
        return Optional.ofNullable(containers.get(name));
    }

    public synchronized List<Container> all() {
        return List.copyOf(containers.values());
    }

    private void checkUp() {
        if (unavailable) {
            throw new RuntimeUnavailableException("fake engine down", null);
        }
    }
}
