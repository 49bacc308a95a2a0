package io.containerlease.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.EngineContainer;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the runtime reads what the API server says: a pod's labels, its status, its log. */
class PodReadingTest {

    @Test
    void labelsKubernetesCannotHoldBecomeAnnotationsAndReadBackAsOne() {
        var meta = new ObjectMeta();
        PodLabels.apply(
                Map.of(
                        "containerlease.lease-id",
                        "01kdvdna00erszx4deqxcs54ka",
                        "containerlease.created-at",
                        "2026-12-04T10:00:00Z",
                        "team",
                        "",
                        "x".repeat(64),
                        "too-long-a-name",
                        "note",
                        "v".repeat(64)),
                meta);

        assertThat(meta.getLabels()).containsOnlyKeys("containerlease.lease-id", "team");
        assertThat(meta.getAnnotations()).containsOnlyKeys("containerlease.created-at", "x".repeat(64), "note");
        assertThat(PodLabels.of(meta)).hasSize(5).containsEntry("containerlease.created-at", "2026-12-04T10:00:00Z");
    }

    @Test
    void eachPhaseIsTheContainerStateItMeans() {
        assertThat(state(pod(null, null))).isEqualTo(EngineContainer.State.CREATED);
        assertThat(state(pod("Pending", waiting("ContainerCreating")))).isEqualTo(EngineContainer.State.CREATED);
        assertThat(state(pod("Running", running()))).isEqualTo(EngineContainer.State.RUNNING);
        assertThat(state(pod("Running", waiting("CrashLoopBackOff")))).isEqualTo(EngineContainer.State.RESTARTING);
        assertThat(state(pod("Succeeded", terminated(0, "Completed")))).isEqualTo(EngineContainer.State.EXITED);
        assertThat(state(pod("Failed", terminated(137, "OOMKilled")))).isEqualTo(EngineContainer.State.EXITED);
        assertThat(state(pod("Unknown", null))).isEqualTo(EngineContainer.State.DEAD);
        Pod deleting = pod("Running", running());
        deleting.getMetadata().setDeletionTimestamp("2026-12-04T10:00:00Z");
        assertThat(state(deleting)).isEqualTo(EngineContainer.State.REMOVING);
    }

    @Test
    void anEndedPodTellsItsExitStatusTimesAndAMemoryKill() {
        EngineContainer killed = PodStates.engineContainer(pod("Failed", terminated(137, "OOMKilled")));
        assertThat(killed.exitCode()).contains(137);
        assertThat(killed.oomKilled()).isTrue();
        assertThat(killed.startedAt()).contains(Instant.parse("2026-12-04T10:00:00Z"));
        assertThat(killed.finishedAt()).contains(Instant.parse("2026-12-04T10:05:00Z"));

        Pod deadline = pod("Failed", null);
        deadline.getStatus().setReason("DeadlineExceeded");
        assertThat(PodStates.engineContainer(deadline).exitCode())
                .as("killed at its deadline")
                .contains(137);
        assertThat(PodStates.engineContainer(pod("Running", running())).exitCode())
                .isEmpty();
    }

    @Test
    void aPodWithoutAValidLeaseLabelIsAnOrphanAndAPoolPodSaysItsType() {
        Pod orphan = pod("Running", running());
        orphan.getMetadata().setLabels(Map.of(ManagedLabels.LEASE_ID, "not-an-id", ManagedLabels.SERVER, "s1"));
        assertThat(PodStates.managed(orphan).leaseId()).isEmpty();
        assertThat(PodStates.managed(orphan).server()).contains("s1");

        Pod pooled = pod("Running", running());
        pooled.getMetadata()
                .setLabels(Map.of(
                        ManagedLabels.LEASE_ID, "01kdvdna00erszx4deqxcs54ka",
                        ManagedLabels.POOL, "s1",
                        ManagedLabels.IMAGE_TYPE, "busybox"));
        var managed = PodStates.managed(pooled);
        assertThat(managed.leaseId()).contains(new LeaseId("01kdvdna00erszx4deqxcs54ka"));
        assertThat(managed.pooledAs()).contains("busybox");
        assertThat(managed.running()).isTrue();
    }

    /** A tenant's program writes one line of a megabyte: the service keeps 16 KiB of it, and the next line whole. */
    @Test
    void aRunawayLineIsCutAndTheLinesAfterItArrive() throws Exception {
        String log = "2026-12-04T10:00:00.000000001Z " + "x".repeat(1 << 20) + "\n"
                + "2026-12-04T10:00:01.5Z after\n"
                + "no timestamp here\n"
                + "2026-12-04T10:00:02Z without a newline at the end";
        List<String> lines = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        var reader = new PodLogLines(sink(lines, times), null);

        Instant last = reader.readAll(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)));

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).hasSize(PodLogLines.MAX_LINE_BYTES).matches("x+");
        assertThat(lines.subList(1, 4)).containsExactly("after", "no timestamp here", "without a newline at the end");
        assertThat(times.get(0)).isEqualTo(Instant.parse("2026-12-04T10:00:00.000000001Z"));
        assertThat(last).isEqualTo(Instant.parse("2026-12-04T10:00:02Z"));
    }

    /** A follow starts at the second the history ended in: the lines of that second it already gave are skipped. */
    @Test
    void aFollowSkipsWhatTheHistoryGaveAlready() throws Exception {
        String log = "2026-12-04T10:00:05.100Z seen-in-history\n"
                + "2026-12-04T10:00:05.200Z last-of-history\n"
                + "2026-12-04T10:00:05.300Z new\n"
                + "2026-12-04T10:00:06Z newer\n";
        List<String> lines = new ArrayList<>();

        new PodLogLines(sink(lines, new ArrayList<>()), Instant.parse("2026-12-04T10:00:05.200Z"))
                .readAll(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)));

        assertThat(lines).containsExactly("new", "newer");
    }

    private static ContainerStreams.LogSink sink(List<String> lines, List<Instant> times) {
        return new ContainerStreams.LogSink() {
            @Override
            public void line(boolean stderr, Instant timestamp, String text) {
                assertThat(stderr).isFalse();
                lines.add(text);
                times.add(timestamp);
            }

            @Override
            public void historyEnd() {}

            @Override
            public void closed(Throwable error) {}
        };
    }

    private static EngineContainer.State state(Pod pod) {
        return PodStates.engineContainer(pod).state();
    }

    private static Pod pod(String phase, io.fabric8.kubernetes.api.model.ContainerState state) {
        var builder = new PodBuilder()
                .withNewMetadata()
                .withName("containerlease-01kdvdna00erszx4deqxcs54ka")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName(LeasePods.CONTAINER)
                .endContainer()
                .endSpec();
        if (phase != null) {
            var status = builder.withNewStatus().withPhase(phase);
            if (state != null) {
                status.addNewContainerStatus()
                        .withName(LeasePods.CONTAINER)
                        .withState(state)
                        .withRestartCount(0)
                        .endContainerStatus();
            }
            status.endStatus();
        }
        return builder.build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerState running() {
        return new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                .withNewRunning()
                .withStartedAt("2026-12-04T10:00:00Z")
                .endRunning()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerState waiting(String reason) {
        return new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                .withNewWaiting()
                .withReason(reason)
                .endWaiting()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerState terminated(int code, String reason) {
        return new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(code)
                .withReason(reason)
                .withStartedAt("2026-12-04T10:00:00Z")
                .withFinishedAt("2026-12-04T10:05:00Z")
                .endTerminated()
                .build();
    }
}
