package io.containerlease.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageUnavailableException;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedContainer;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ImageSpecs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every runtime promises the core, tested the same way on each: on the real Docker engine
 * ({@code DockerRuntimeContractIT}) and on a Kubernetes API server mock with our fake kubelet
 * ({@code KubernetesRuntimeContractTest}). A runtime's own details (its hardening, how its files
 * arrive) are tested beside it.
 */
@Timeout(120)
abstract class ContainerRuntimeContract {
    protected final String instance = "contract-" + UUID.randomUUID();
    private final Random random = new Random();

    protected abstract ContainerRuntime runtime();

    protected abstract ContainerEvents events();

    protected abstract ContainerStreams streams();

    /** An image type whose program runs until it is ended. */
    protected ImageSpec sleeper() {
        return ImageSpecs.busybox();
    }

    /** An image type whose program ends by itself at once, with status 3. */
    protected abstract ImageSpec exitingWithThree();

    @Test
    void aContainerRunsListedWithItsLeaseAndOnlyForItsInstance() {
        Lease lease = lease();
        String id = runtime().createAndStart(spec(lease, sleeper(), Optional.empty()));

        EngineContainer inspected = awaitState(id, EngineContainer.State.RUNNING);
        assertThat(inspected.startedAt()).isPresent();
        assertThat(inspected.exitCode()).isEmpty();
        assertThat(runtime().exists(id)).isTrue();
        List<ManagedContainer> listed = runtime().listManaged(instance);
        assertThat(listed).singleElement().satisfies(c -> {
            assertThat(c.leaseId()).contains(lease.id());
            assertThat(c.running()).isTrue();
            assertThat(c.server()).contains(instance);
            assertThat(c.pooled()).isFalse();
        });
        assertThat(runtime().listManaged("someone-else-" + UUID.randomUUID())).isEmpty();
    }

    @Test
    void removalIsIdempotentAndLeavesNothingListed() {
        Lease lease = lease();
        String id = runtime().createAndStart(spec(lease, sleeper(), Optional.empty()));

        runtime().remove(id);
        runtime().remove(id);

        assertThat(runtime().exists(id)).isFalse();
        assertThat(runtime().inspect(id)).isEmpty();
        assertThat(runtime().listManaged(instance)).isEmpty();
    }

    /** The dead-man's switch: nothing of ours is asked to do anything after the container is made. */
    @Test
    void aContainerEndsAtItsOwnDeadlineWithNoServerAlive() {
        Lease lease = lease();
        Instant deadline = Instant.now().plusSeconds(3);
        String id = runtime().createAndStart(spec(lease, sleeper(), Optional.of(deadline)));
        awaitState(id, EngineContainer.State.RUNNING);

        EngineContainer ended = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> runtime().inspect(id).orElseThrow(), c -> c.state() == EngineContainer.State.EXITED);

        assertThat(ended.finishedAt())
                .hasValueSatisfying(at -> assertThat(at)
                        .isAfterOrEqualTo(deadline.minusSeconds(1))
                        .isBefore(deadline.plusSeconds(15)));
        // Ended, not gone: the reconciler decides what becomes of it.
        assertThat(runtime().listManaged(instance))
                .singleElement()
                .satisfies(c -> assertThat(c.running()).isFalse());
    }

    /** A lease's tighter deadline, told after the container is made: earlier at once, never past the cap. */
    @Test
    void theDeadlineMovesEarlierButNeverPastTheCapAndEndsTheContainer() {
        Instant cap = Instant.now().plusSeconds(600);
        String id = runtime().createAndStart(spec(lease(), sleeper(), Optional.of(cap)));
        awaitState(id, EngineContainer.State.RUNNING);
        assertThat(runtime().heldDeadline(id)).contains(Instant.ofEpochSecond(cap.getEpochSecond() + 1));

        Instant tighter = Instant.now().plusSeconds(300);
        assertThat(runtime().holdDeadline(id, tighter)).isTrue();
        assertThat(runtime().heldDeadline(id)).contains(Instant.ofEpochSecond(tighter.getEpochSecond() + 1));
        assertThat(runtime().holdDeadline(id, cap.plusSeconds(3600))).isFalse();
        assertThat(runtime().heldDeadline(id)).contains(Instant.ofEpochSecond(cap.getEpochSecond() + 1));

        assertThat(runtime().holdDeadline(id, Instant.now().plusSeconds(2))).isTrue();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> runtime().inspect(id).orElseThrow().state() == EngineContainer.State.EXITED);
        assertThat(runtime().heldDeadline(id)).isEmpty();
    }

    @Test
    void aProgramThatEndsLeavesItsExitStatus() {
        Lease lease = lease();
        String id = runtime().createAndStart(spec(lease, exitingWithThree(), Optional.empty()));

        EngineContainer ended = await().atMost(Duration.ofSeconds(30))
                .until(() -> runtime().inspect(id).orElseThrow(), c -> c.state() == EngineContainer.State.EXITED);

        assertThat(ended.exitCode()).contains(3);
        assertThat(ended.oomKilled()).isFalse();
    }

    @Test
    void aStoppedContainerStaysEndedAndStartsAgainUnderItsId() {
        Lease lease = lease();
        String id = runtime()
                .createAndStart(spec(lease, sleeper(), Optional.of(Instant.now().plusSeconds(600))));
        awaitState(id, EngineContainer.State.RUNNING);

        runtime().stop(id, Duration.ofSeconds(2));
        assertThat(runtime().inspect(id))
                .hasValueSatisfying(c -> assertThat(c.state()).isEqualTo(EngineContainer.State.EXITED));
        runtime().stop(id, Duration.ofSeconds(2)); // a stopped container is left as it is

        runtime().start(id);
        awaitState(id, EngineContainer.State.RUNNING);
        runtime().start(id); // and a running one too
        assertThat(runtime().listManaged(instance)).singleElement().satisfies(c -> {
            assertThat(c.leaseId()).contains(lease.id());
            assertThat(c.running()).isTrue();
        });
    }

    @Test
    void theEventStreamTellsOfEachChangeWithItsLeaseAndEndsOnceWhenClosed() throws Exception {
        List<Optional<LeaseId>> seen = new CopyOnWriteArrayList<>();
        AtomicInteger closings = new AtomicInteger();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        var watch = events().watch(instance, Instant.now(), new ContainerEvents.Sink() {
            @Override
            public void event(String containerId, Optional<LeaseId> leaseId, String action, Instant at) {
                seen.add(leaseId);
            }

            @Override
            public void closed(Throwable error) {
                closings.incrementAndGet();
                if (error != null) {
                    errors.add(error);
                }
            }
        });
        Lease lease = lease();
        String id = runtime().createAndStart(spec(lease, sleeper(), Optional.empty()));
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains(Optional.of(lease.id())));
        int beforeRemoval = seen.size();

        runtime().remove(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() > beforeRemoval);
        assertThat(seen).allSatisfy(leaseId -> assertThat(leaseId).contains(lease.id()));

        watch.close();
        watch.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> closings.get() == 1);
        Thread.sleep(200);
        assertThat(closings).hasValue(1);
        assertThat(errors).isEmpty();
    }

    @Test
    void anImageThatCannotBeHadIsRefusedAndLeavesNothing() {
        Lease lease = lease();
        ImageSpec missing = ImageSpecs.withImage(sleeper(), "containerlease-test/missing-image:none");

        assertThatThrownBy(() -> {
                    runtime().ensureImage(missing);
                    runtime().createAndStart(spec(lease, missing, Optional.empty()));
                })
                .isInstanceOf(ImageUnavailableException.class)
                .hasMessageContaining("containerlease-test/missing-image:none");
        assertThat(runtime().listManaged(instance)).isEmpty();
    }

    @Test
    void aCommandsOutputComesApartWithItsExitStatus() throws Exception {
        String id = runtime().createAndStart(spec(lease(), sleeper(), Optional.empty()));
        awaitState(id, EngineContainer.State.RUNNING);
        var stdout = new java.io.ByteArrayOutputStream();
        var stderr = new java.io.ByteArrayOutputStream();
        var status = new java.util.concurrent.CompletableFuture<java.util.OptionalInt>();

        try (var exec = streams()
                .openExec(
                        id,
                        List.of("sh", "-c", "printf out; printf err >&2; exit 4"),
                        new ContainerStreams.ExecOutput() {
                            @Override
                            public void stdout(byte[] data) {
                                stdout.writeBytes(data);
                            }

                            @Override
                            public void stderr(byte[] data) {
                                stderr.writeBytes(data);
                            }

                            @Override
                            public void exited(java.util.OptionalInt code) {
                                status.complete(code);
                            }
                        })) {
            assertThat(status.get(30, java.util.concurrent.TimeUnit.SECONDS)).hasValue(4);
        }
        assertThat(stdout.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("out");
        assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("err");
    }

    /** A transfer (files' path): megabytes in, the same bytes out, stdout apart from stderr, and the exit status. */
    @Test
    void aTransferMovesMegabytesInAndOutByteExact() throws Exception {
        String id = runtime().createAndStart(spec(lease(), sleeper(), Optional.empty()));
        awaitState(id, EngineContainer.State.RUNNING);
        byte[] sent = new byte[4 << 20];
        new java.util.Random(4).nextBytes(sent);
        var stdout = new java.io.ByteArrayOutputStream();
        var stderr = new java.io.ByteArrayOutputStream();
        var status = new java.util.concurrent.CompletableFuture<java.util.OptionalInt>();
        try (var transfer = streams()
                .openTransfer(
                        id,
                        List.of("sh", "-c", "head -c " + sent.length + "; echo done >&2"),
                        new ContainerStreams.ExecOutput() {
                            @Override
                            public void stdout(byte[] data) {
                                synchronized (stdout) {
                                    stdout.writeBytes(data);
                                }
                            }

                            @Override
                            public void stderr(byte[] data) {
                                stderr.writeBytes(data);
                            }

                            @Override
                            public void exited(java.util.OptionalInt code) {
                                status.complete(code);
                            }
                        })) {
            // Writes of 64 KiB, as a files upload makes them.
            for (int at = 0; at < sent.length; at += 64 * 1024) {
                assertThat(transfer.write(java.util.Arrays.copyOfRange(sent, at, at + 64 * 1024)))
                        .isTrue();
            }
            assertThat(status.get(60, java.util.concurrent.TimeUnit.SECONDS)).hasValue(0);
        }
        synchronized (stdout) {
            assertThat(stdout.toByteArray()).isEqualTo(sent);
        }
        assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("done\n");
    }

    @Test
    void aShellRunsWhatItIsSentOnATerminal() throws Exception {
        String id = runtime().createAndStart(spec(lease(), sleeper(), Optional.empty()));
        awaitState(id, EngineContainer.State.RUNNING);
        var output = new StringBuffer();
        var status = new java.util.concurrent.CompletableFuture<java.util.OptionalInt>();

        var shell = streams().openShell(id, List.of("sh"), 100, 30, new ContainerStreams.ShellOutput() {
            @Override
            public void bytes(byte[] data) {
                output.append(new String(data, java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void exited(java.util.OptionalInt code) {
                status.complete(code);
            }
        });
        try (shell) {
            assertThat(shell.write("[ -t 0 ] && echo on-a-tty-$((40+2))\n".getBytes()))
                    .isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> output.toString().contains("on-a-tty-42"));
            shell.resize(120, 40);
            shell.write("exit 5\n".getBytes());
            status.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void theLogBringsWhatTheProgramWroteInOrder() throws Exception {
        ImageSpec talker =
                ImageSpecs.withCommand(sleeper(), List.of("sh", "-c", "echo one; echo two >&2; echo three; sleep 600"));
        String id = runtime().createAndStart(spec(lease(), talker, Optional.empty()));
        awaitState(id, EngineContainer.State.RUNNING);
        List<String> lines = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            lines.clear();
            var historyEnded = new java.util.concurrent.CountDownLatch(1);
            try (var follow = streams().followLogs(id, 100, null, new ContainerStreams.LogSink() {
                @Override
                public void line(boolean stderr, Instant timestamp, String text) {
                    lines.add(text);
                }

                @Override
                public void historyEnd() {
                    historyEnded.countDown();
                }

                @Override
                public void closed(Throwable error) {
                    historyEnded.countDown();
                }
            })) {
                historyEnded.await(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            return lines.size() >= 3;
        });
        assertThat(lines).containsSubsequence("one", "three").contains("two");
    }

    protected final Lease lease() {
        Instant now = Instant.now();
        return Lease.provisioning(
                LeaseId.generate(now, random), "busybox", now, Duration.ofMinutes(5), Duration.ofHours(1));
    }

    protected final ContainerSpec spec(Lease lease, ImageSpec image, Optional<Instant> deadline) {
        return new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                image,
                Map.of(),
                ManagedLabels.forLease(lease, instance),
                Map.of(),
                ContainerSpec.Mounts.NONE,
                deadline);
    }

    protected final EngineContainer awaitState(String id, EngineContainer.State state) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> runtime().inspect(id).orElseThrow(), c -> c.state() == state);
    }
}
