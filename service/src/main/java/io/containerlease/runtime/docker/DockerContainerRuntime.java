package io.containerlease.runtime.docker;

import static io.containerlease.runtime.docker.DockerCalls.call;
import static io.containerlease.runtime.docker.DockerCalls.closeQuietly;
import static io.containerlease.runtime.docker.DockerCalls.isUnreachable;
import static io.containerlease.runtime.docker.DockerCalls.unavailable;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.NameParser;
import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageUnavailableException;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link ContainerRuntime} on a Docker engine through docker-java. Every container gets the same
 * hardening, whatever its catalog entry says: no capabilities, no new privileges, memory (without
 * swap), CPU and pids limits, no host path mounted (a channel's directory is a
 * tmpfs, our helper and the code come in volumes), never privileged, and network
 * {@code none} unless the catalog names another network. A catalog entry may add a non-root
 * {@code user} and a read-only root filesystem (with a tmpfs {@code /tmp}). Our helper is PID 1 of
 * every container: it starts the image's own command and holds the container's deadline.
 */
public final class DockerContainerRuntime implements ContainerRuntime {
    private final DockerClient docker;
    private final Duration pullTimeout;
    private final Map<String, String> extraLabels;
    private final DockerHelperVolume helper;
    private final ImageCommands imageCommands;
    private final DockerDeadlines deadlines;
    private final DockerContainerCreation creation;
    /** Whether the storage driver can cap a writable layer; null until probed. */
    private volatile Boolean writableLayerQuota;

    /**
     * @param extraLabels put on every container created here, under the service's own (CONTAINER_LABELS)
     * @param helper      the volume that carries our helper into containers that need it
     */
    public DockerContainerRuntime(
            DockerClient docker, Duration pullTimeout, Map<String, String> extraLabels, DockerHelperVolume helper) {
        this.docker = docker;
        this.pullTimeout = pullTimeout;
        this.extraLabels = Map.copyOf(extraLabels);
        this.helper = helper;
        this.imageCommands = new ImageCommands(docker);
        this.deadlines = new DockerDeadlines(docker);
        this.creation = new DockerContainerCreation(
                docker, this.extraLabels, helper, imageCommands, () -> Boolean.TRUE.equals(writableLayerQuota));
    }

    /** A runtime whose helper volume is its own: labelled with {@code cluster} (the store's id), named after {@code server}. */
    public DockerContainerRuntime(
            DockerClient docker, Duration pullTimeout, Map<String, String> extraLabels, String cluster, String server) {
        this(
                docker,
                pullTimeout,
                extraLabels,
                new DockerHelperVolume(docker, HelperBinary::fromJar, cluster, server, extraLabels));
    }

    /** A runtime of a server alone on its store. */
    public DockerContainerRuntime(
            DockerClient docker, Duration pullTimeout, Map<String, String> extraLabels, String owner) {
        this(docker, pullTimeout, extraLabels, owner, owner);
    }

    @Override
    public void ensureImage(ImageSpec spec) {
        if (spec.pullPolicy() != ImageSpec.PullPolicy.ALWAYS && imageCommands.knownPresent(spec.image())) {
            return; // seen lately; should it be gone since, the create says so and createAndStart looks again
        }
        boolean present = call("inspect image " + spec.image(), () -> imageCommands.refresh(spec.image()));
        switch (spec.pullPolicy()) {
            case NEVER -> {
                if (!present) {
                    throw new ImageUnavailableException(
                            "image " + spec.image() + " for '" + spec.imageType()
                                    + "' is not on the Docker engine and its pull policy is 'never'",
                            null);
                }
            }
            case IF_NOT_PRESENT -> {
                if (!present) {
                    pull(spec);
                    call("inspect image " + spec.image(), () -> imageCommands.refresh(spec.image()));
                }
            }
            case ALWAYS -> {
                pull(spec);
                call("inspect image " + spec.image(), () -> imageCommands.refresh(spec.image()));
            }
        }
    }

    private void pull(ImageSpec spec) {
        var callback = new PullImageResultCallback();
        try {
            pullCommand(spec.image()).exec(callback);
            // awaitCompletion rethrows the first error the pull stream reported.
            if (!callback.awaitCompletion(pullTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ImageUnavailableException(
                        "pulling " + spec.image() + " took longer than " + pullTimeout.toSeconds() + " s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageUnavailableException("pulling " + spec.image() + " was interrupted", e);
        } catch (DockerException e) {
            throw new ImageUnavailableException(cannotPull(spec), DockerClients.rootMessage(e), e);
        } catch (ImageUnavailableException e) {
            throw e;
        } catch (RuntimeException e) {
            if (isUnreachable(e)) {
                throw unavailable("pull " + spec.image(), e);
            }
            throw new ImageUnavailableException(cannotPull(spec), DockerClients.rootMessage(e), e);
        } finally {
            closeQuietly(callback);
        }
    }

    private static String cannotPull(ImageSpec spec) {
        return "image " + spec.image() + " for '" + spec.imageType()
                + "' is not on the Docker engine and cannot be pulled";
    }

    @Override
    public String createAndStart(ContainerSpec spec) {
        try {
            return creation.createAndStart(spec);
        } catch (DockerContainerCreation.NotFoundOnCreate e) {
            // The image is taken as there without asking each time: removed since it was last seen, it is looked at
            // (and pulled, where its policy says so) now. A 404 for something else (a network) fails the same again.
            imageCommands.forget(spec.image().image());
            ensureImage(spec.image());
            try {
                return creation.createAndStart(spec);
            } catch (DockerContainerCreation.NotFoundOnCreate again) {
                throw again.refusal();
            }
        }
    }

    /**
     * Whether the engine's storage driver can cap a container's writable layer (overlay2 only on
     * xfs mounted with pquota; btrfs, zfs). Found out once, by creating (never starting) a container
     * with a quota and removing it at once; until then, and where it cannot, no quota is asked for.
     */
    public boolean probeWritableLayerQuota(ImageSpec image) {
        String name = "containerlease-probe-" + java.util.UUID.randomUUID();
        try {
            docker.createContainerCmd(image.image())
                    .withName(name)
                    .withLabels(extraLabels)
                    .withHostConfig(
                            HostConfig.newHostConfig().withNetworkMode("none").withStorageOpt(Map.of("size", "16m")))
                    .exec();
            writableLayerQuota = true;
        } catch (NotFoundException e) {
            // Says nothing about the storage driver: the caller reports that it could not find out.
            throw new RuntimeOperationException(
                    "image " + image.image() + " is not on the engine to probe with", e.getMessage(), e);
        } catch (DockerException e) {
            writableLayerQuota = false;
        } finally {
            try {
                docker.removeContainerCmd(name).withForce(true).exec();
            } catch (RuntimeException ignored) {
                // never created
            }
        }
        return writableLayerQuota;
    }

    @Override
    public void remove(String nameOrId) {
        call("remove " + nameOrId, () -> {
            try {
                docker.removeContainerCmd(nameOrId)
                        .withForce(true)
                        .withRemoveVolumes(true)
                        .exec();
            } catch (NotFoundException alreadyGone) {
                // Removal is idempotent: someone (us, earlier) already did it.
            }
            return null;
        });
    }

    @Override
    public boolean exists(String nameOrId) {
        return call("inspect " + nameOrId, () -> {
            try {
                docker.inspectContainerCmd(nameOrId).exec();
                return true;
            } catch (NotFoundException e) {
                return false;
            }
        });
    }

    @Override
    public List<ManagedContainer> listManaged(String instanceId) {
        List<Container> containers = call(
                "list containers",
                () -> docker.listContainersCmd()
                        .withShowAll(true)
                        .withLabelFilter(Map.of(ManagedLabels.INSTANCE, instanceId))
                        .exec());
        return containers.stream().map(DockerContainerRuntime::toManaged).toList();
    }

    private static ManagedContainer toManaged(Container c) {
        return ManagedContainer.fromLabels(
                c.getId(), "running".equals(c.getState()), c.getLabels() == null ? Map.of() : c.getLabels());
    }

    @Override
    public Optional<EngineContainer> inspect(String nameOrId) {
        return call("inspect " + nameOrId, () -> {
            try {
                return Optional.of(
                        toEngineContainer(docker.inspectContainerCmd(nameOrId).exec()));
            } catch (NotFoundException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void stop(String nameOrId, Duration timeout) {
        call("stop " + nameOrId, () -> {
            try {
                docker.stopContainerCmd(nameOrId)
                        .withTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toSeconds()))
                        .exec();
            } catch (NotModifiedException alreadyStopped) {
                // stopping a stopped container changes nothing, which is what was asked
            }
            return null;
        });
    }

    @Override
    public void start(String nameOrId) {
        call("start " + nameOrId, () -> {
            try {
                docker.startContainerCmd(nameOrId).exec();
            } catch (NotModifiedException alreadyRunning) {
                // likewise
            }
            return null;
        });
    }

    @Override
    public void restart(String nameOrId, Duration timeout) {
        call(
                "restart " + nameOrId,
                () -> docker.restartContainerCmd(nameOrId)
                        .withTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toSeconds()))
                        .exec());
    }

    @Override
    public boolean holdDeadline(String nameOrId, Instant deadline) {
        return deadlines.hold(nameOrId, deadline);
    }

    @Override
    public Optional<Instant> heldDeadline(String nameOrId) {
        return deadlines.held(nameOrId);
    }

    @Override
    public void pause(String nameOrId) {
        call("pause " + nameOrId, () -> docker.pauseContainerCmd(nameOrId).exec());
    }

    @Override
    public void unpause(String nameOrId) {
        call("unpause " + nameOrId, () -> docker.unpauseContainerCmd(nameOrId).exec());
    }

    static EngineContainer toEngineContainer(InspectContainerResponse inspected) {
        var state = inspected.getState();
        EngineContainer.State engineState = switch (String.valueOf(state.getStatus())) {
            case "created" -> EngineContainer.State.CREATED;
            case "running" -> EngineContainer.State.RUNNING;
            case "paused" -> EngineContainer.State.PAUSED;
            case "restarting" -> EngineContainer.State.RESTARTING;
            case "removing" -> EngineContainer.State.REMOVING;
            case "dead" -> EngineContainer.State.DEAD;
            default -> EngineContainer.State.EXITED;
        };
        Long exitCode = state.getExitCodeLong();
        boolean everFinished = engineState == EngineContainer.State.EXITED || engineState == EngineContainer.State.DEAD;
        return new EngineContainer(
                inspected.getId(),
                engineState,
                everFinished && exitCode != null ? Optional.of(exitCode.intValue()) : Optional.empty(),
                Boolean.TRUE.equals(state.getOOMKilled()),
                engineTime(state.getStartedAt()),
                engineTime(state.getFinishedAt()),
                inspected.getRestartCount() == null ? 0 : inspected.getRestartCount(),
                Optional.ofNullable(state.getHealth())
                        .map(h -> h.getStatus())
                        .filter(h -> !h.isEmpty() && !h.equals("none")));
    }

    /** The engine writes {@code 0001-01-01T00:00:00Z} for a time that never was. */
    private static Optional<Instant> engineTime(String raw) {
        if (raw == null || raw.isEmpty() || raw.startsWith("0001-")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(raw));
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The engine's own id: servers that share a store take over each other's leases only on the same engine. */
    public String engineId() {
        return call("read the engine's id", () -> docker.infoCmd().exec().getId());
    }

    @Override
    public void ping() {
        call("ping", () -> docker.pingCmd().exec());
    }

    @Override
    public void close() {
        helper.close();
        closeQuietly(docker);
    }

    /**
     * The pull API wants repository and tag apart; docker-java's own parser splits them. A digest
     * reference ({@code repo@sha256:…}) goes whole, which the engine accepts and the parser would
     * split at the wrong colon; a reference without a tag pulls {@code latest}, never every tag.
     */
    private PullImageCmd pullCommand(String image) {
        if (image.contains("@")) {
            return docker.pullImageCmd(image);
        }
        NameParser.ReposTag ref = NameParser.parseRepositoryTag(image);
        return docker.pullImageCmd(ref.repos).withTag(ref.tag.isEmpty() ? "latest" : ref.tag);
    }
}
