package io.containerlease.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.runtime.kubernetes.KubernetesContainerRuntime;
import io.containerlease.support.FakeKubelet;
import io.containerlease.support.ImageSpecs;
import io.containerlease.support.KubernetesMock;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a lease's pod is made of on Kubernetes: the hardening, the dead-man's switch, the secrets, the isolation. */
@Timeout(60)
class KubernetesLeasePodTest {
    private static final String NAMESPACE = "leases";
    private final KubernetesMock mock = KubernetesMock.start();
    private final FakeKubelet kubelet = FakeKubelet.start(mock, NAMESPACE);
    private final KubernetesClient look = mock.newClient();
    private final String instance = "pods-" + UUID.randomUUID();
    private final Instant now = Instant.parse("2026-12-04T10:00:00.250Z");
    private final KubernetesContainerRuntime runtime = new KubernetesContainerRuntime(
            mock.newClient(),
            NAMESPACE,
            Map.of("team", "labs", "cost/centre", "a value with spaces"),
            "registry.example/containerlease:1.0",
            "/opt/containerlease/helper/containerlease-helper",
            Duration.ofSeconds(20),
            InstantSource.fixed(now));

    @AfterEach
    void stop() {
        kubelet.close();
        mock.close();
    }

    @Test
    void everyPodIsHardenedWhateverItsCatalogEntrySays() {
        String name = runtime.createAndStart(spec(ImageSpecs.busybox(), Map.of(), Optional.of(now.plusSeconds(3600))));
        Pod pod = pod(name);

        var spec = pod.getSpec();
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getEnableServiceLinks()).isFalse();
        assertThat(spec.getHostNetwork()).isFalse();
        assertThat(spec.getHostPID()).isFalse();
        assertThat(spec.getHostIPC()).isFalse();
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        for (Container c :
                List.of(spec.getContainers().get(0), spec.getInitContainers().get(0))) {
            var security = c.getSecurityContext();
            assertThat(security.getPrivileged()).isFalse();
            assertThat(security.getAllowPrivilegeEscalation()).isFalse();
            assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(security.getCapabilities().getAdd()).isEmpty();
            assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
            assertThat(c.getResources().getLimits()).containsKeys("memory", "cpu");
            assertThat(c.getResources().getRequests())
                    .isEqualTo(c.getResources().getLimits());
        }
        Container lease = spec.getContainers().get(0);
        assertThat(lease.getResources().getLimits())
                .containsEntry("memory", new Quantity(ImageSpecs.busybox().memoryMb() + "Mi"))
                .containsKey("ephemeral-storage");
        assertThat(spec.getVolumes()).allSatisfy(v -> {
            assertThat(v.getHostPath()).isNull();
            assertThat(v.getPersistentVolumeClaim()).isNull();
        });
    }

    /** The kubelet ends the pod at the lease's hard deadline even with every server of ours gone; the helper holds the same. */
    @Test
    void theDeadlineIsTheKubeletsAndTheHelpersAlike() {
        Instant deadline = now.plusSeconds(3600).plusMillis(100);
        String name = runtime.createAndStart(spec(ImageSpecs.busybox(), Map.of(), Optional.of(deadline)));
        Pod pod = pod(name);

        // Counted from the pod's start (a moment after now): never earlier than the deadline, whole seconds up.
        assertThat(pod.getSpec().getActiveDeadlineSeconds()).isEqualTo(3601L);
        Container lease = pod.getSpec().getContainers().get(0);
        long epoch = deadline.getEpochSecond() + 1;
        assertThat(lease.getCommand())
                .startsWith(HelperBinary.PATH, "init", "--deadline", Long.toString(epoch), "--")
                .endsWith(ImageSpecs.busybox().command().toArray(String[]::new));
        assertThat(lease.getStdin()).isTrue();
        assertThat(lease.getTty()).isFalse();
        assertThat(lease.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo(HelperBinary.DIRECTORY);
            assertThat(m.getReadOnly()).isTrue();
        });
        Container installer = pod.getSpec().getInitContainers().get(0);
        assertThat(installer.getImage()).isEqualTo("registry.example/containerlease:1.0");
        assertThat(installer.getCommand()).contains("/opt/containerlease/helper/containerlease-helper");
        assertThat(pod.getMetadata().getAnnotations())
                .containsEntry(
                        ManagedLabels.DEADLINE, Instant.ofEpochSecond(epoch).toString());
    }

    @Test
    void labelsKubernetesCannotHoldAreAnnotationsAndTheServicesOwnWin() {
        String name = runtime.createAndStart(spec(ImageSpecs.busybox(), Map.of(), Optional.empty()));
        var meta = pod(name).getMetadata();

        assertThat(meta.getLabels())
                .containsEntry(ManagedLabels.INSTANCE, instance)
                .containsEntry("team", "labs")
                .containsEntry("containerlease.network", "none")
                .doesNotContainKeys(ManagedLabels.CREATED_AT, "cost/centre");
        assertThat(meta.getAnnotations())
                .containsKeys(ManagedLabels.CREATED_AT, ManagedLabels.EXPIRES_AT)
                .containsEntry("cost/centre", "a value with spaces");
    }

    @Test
    void secretFilesComeFromASecretOwnedByThePodAndNeverFromItsSpec() {
        String secret = "s3cr3t-" + UUID.randomUUID();
        ImageSpec nonRoot = ImageSpecs.withUser(ImageSpecs.busybox(), "1000:1000");
        String name = runtime.createAndStart(spec(nonRoot, Map.of("api-key", secret), Optional.empty()));
        Pod pod = pod(name);

        assertThat(Serialization.asJson(pod)).doesNotContain(secret);
        var stored = look.secrets()
                .inNamespace(NAMESPACE)
                .withName(name + "-secrets")
                .get();
        assertThat(new String(Base64.getDecoder().decode(stored.getData().get("api-key")), StandardCharsets.UTF_8))
                .isEqualTo(secret);
        assertThat(stored.getImmutable()).isTrue();
        assertThat(stored.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Pod");
            assertThat(owner.getUid()).isEqualTo(pod.getMetadata().getUid());
        });
        var volume = pod.getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null)
                .findFirst()
                .orElseThrow();
        assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
        assertThat(pod.getSpec().getSecurityContext().getFsGroup()).isEqualTo(1000L);
        assertThat(pod.getSpec().getContainers().get(0).getSecurityContext().getRunAsNonRoot())
                .isTrue();

        // A stop and a start make the pod anew: the secret follows it.
        runtime.stop(name, Duration.ofSeconds(1));
        runtime.start(name);
        Pod again = pod(name);
        assertThat(again.getMetadata().getUid()).isNotEqualTo(pod.getMetadata().getUid());
        assertThat(look.secrets()
                        .inNamespace(NAMESPACE)
                        .withName(name + "-secrets")
                        .get()
                        .getMetadata()
                        .getOwnerReferences())
                .singleElement()
                .satisfies(owner ->
                        assertThat(owner.getUid()).isEqualTo(again.getMetadata().getUid()));

        runtime.remove(name);
        assertThat(look.secrets()
                        .inNamespace(NAMESPACE)
                        .withName(name + "-secrets")
                        .get())
                .isNull();
    }

    @Test
    void aShellIsATerminalOfTheSizeTheUserHas() throws Exception {
        String name = runtime.createAndStart(spec(ImageSpecs.busybox(), Map.of(), Optional.empty()));
        await().until(() ->
                runtime.inspect(name).orElseThrow().state() == io.containerlease.lease.EngineContainer.State.RUNNING);
        var streams = new io.containerlease.runtime.kubernetes.KubernetesContainerStreams(mock.newClient(), NAMESPACE);
        var ended = new java.util.concurrent.CountDownLatch(1);

        try (var shell = streams.openShell(
                name, List.of("sh"), 100, 30, new io.containerlease.lease.ContainerStreams.ShellOutput() {
                    @Override
                    public void bytes(byte[] data) {}

                    @Override
                    public void exited(java.util.OptionalInt status) {
                        ended.countDown();
                    }
                })) {
            shell.resize(132, 43);
            await().untilAsserted(() -> assertThat(kubelet.resizes())
                    .anySatisfy(r -> assertThat(r).contains("132").contains("43")));
        }
        assertThat(kubelet.resizes())
                .anySatisfy(r -> assertThat(r).contains("\"Width\":100").contains("\"Height\":30"));
        assertThat(ended.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    /** Code lives in a claim of the lease's own, which starts with the image's code (a claim hides it). */
    @Test
    void updatableCodeIsAClaimSeededWithTheImagesOwnCode() {
        ImageSpec app = ImageSpecs.busyboxAs(
                "app",
                ImageSpec.Lifecycle.DEFAULT,
                new ImageSpec.Program(
                        false,
                        Optional.of(
                                new ImageSpec.Code("/app", List.of(), Duration.ofSeconds(2), Duration.ofSeconds(30)))));
        ContainerSpec plain = spec(app, Map.of(), Optional.empty());
        String claim = plain.name() + "-code";
        String name = runtime.createAndStart(new ContainerSpec(
                plain.name(),
                app,
                Map.of(),
                plain.labels(),
                Map.of(),
                new ContainerSpec.Mounts(false, Optional.of(claim)),
                Optional.empty()));
        Pod pod = pod(name);

        assertThat(pod.getSpec().getVolumes())
                .filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .singleElement()
                .satisfies(v ->
                        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim));
        assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/app");
            assertThat(m.getReadOnly()).isFalse();
        });
        Container seeder = pod.getSpec().getInitContainers().get(1);
        assertThat(seeder.getImage()).isEqualTo(app.image());
        assertThat(String.join(" ", seeder.getCommand())).contains("cp -a /app/. /seed/");
        assertThat(seeder.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(seeder.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }

    /** fabric8 hands out a stream before the kubelet opened it: what is typed at once must not be refused. */
    @Test
    void inputWrittenTheMomentAShellOpensReachesIt() throws Exception {
        String name = runtime.createAndStart(spec(ImageSpecs.busybox(), Map.of(), Optional.empty()));
        await().until(() ->
                runtime.inspect(name).orElseThrow().state() == io.containerlease.lease.EngineContainer.State.RUNNING);
        kubelet.delayStreams(Duration.ofMillis(700));
        var streams = new io.containerlease.runtime.kubernetes.KubernetesContainerStreams(mock.newClient(), NAMESPACE);
        var output = new StringBuffer();

        try (var shell = streams.openShell(
                name, List.of("sh"), 80, 24, new io.containerlease.lease.ContainerStreams.ShellOutput() {
                    @Override
                    public void bytes(byte[] data) {
                        output.append(new String(data, StandardCharsets.UTF_8));
                    }

                    @Override
                    public void exited(java.util.OptionalInt status) {}
                })) {
            assertThat(shell.write("echo typed-at-once-$((6*7))\n".getBytes(StandardCharsets.UTF_8)))
                    .isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> output.toString().contains("typed-at-once-42"));
        }
    }

    @Test
    void isolatedPodsAreSelectedByADenyAllNetworkPolicy() {
        runtime.ensureIsolation();
        runtime.ensureIsolation();

        var policies = look.network()
                .v1()
                .networkPolicies()
                .inNamespace(NAMESPACE)
                .list()
                .getItems();
        assertThat(policies).singleElement().satisfies(policy -> {
            assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(policy.getSpec().getIngress()).isNullOrEmpty();
            assertThat(policy.getSpec().getEgress()).isNullOrEmpty();
            assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                    .containsEntry("containerlease.network", "none");
        });
    }

    @Test
    void whatAPodCannotDoIsRefusedInWords() {
        String name = runtime.createAndStart(spec(ImageSpecs.busybox(), Map.of(), Optional.empty()));

        assertThatThrownBy(() -> runtime.pause(name))
                .isInstanceOf(io.containerlease.lease.LeaseConflictException.class)
                .hasMessageContaining("cannot be paused");
        assertThatThrownBy(() -> runtime.createAndStart(
                        spec(ImageSpecs.withCommand(ImageSpecs.busybox(), List.of()), Map.of(), Optional.empty())))
                .isInstanceOf(RuntimeOperationException.class)
                .hasMessageContaining("needs a command in the catalog");
        await().until(() -> kubelet.transitions() > 0);
    }

    private Pod pod(String name) {
        return look.pods().inNamespace(NAMESPACE).withName(name).get();
    }

    private ContainerSpec spec(ImageSpec image, Map<String, String> secrets, Optional<Instant> deadline) {
        Lease lease = Lease.provisioning(
                LeaseId.generate(now, new Random()), "busybox", now, Duration.ofMinutes(5), Duration.ofHours(1));
        return new ContainerSpec(
                ManagedLabels.containerName(lease.id()),
                image,
                Map.of(),
                ManagedLabels.forLease(lease, instance),
                secrets,
                ContainerSpec.Mounts.NONE,
                deadline);
    }
}
