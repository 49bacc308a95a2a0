package io.containerlease.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.ContainerUsage;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.UsageStreams;
import io.containerlease.runtime.kubernetes.KubernetesContainerEvents;
import io.containerlease.runtime.kubernetes.KubernetesContainerRuntime;
import io.containerlease.runtime.kubernetes.KubernetesContainerStreams;
import io.containerlease.runtime.kubernetes.KubernetesUsageStreams;
import io.containerlease.support.FakeKubelet;
import io.containerlease.support.ImageSpecs;
import io.containerlease.support.KubernetesMock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manifests in deploy/kubernetes are what a cluster would be given: parsed into fabric8's model,
 * checked for what the README promises (two servers on Redis, probes on /healthz, the service
 * account), and the Role's rules checked against the requests the runtime really makes, recorded
 * from the API server mock: every call allowed, every rule used.
 */
@Timeout(60)
class KubernetesManifestsTest {
    private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes");
    private static final Pattern PATH = Pattern.compile(
            "/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?(\\?.*)?");

    @Test
    void twoServersOnRedisWithProbesAndTheirOwnAccount() throws Exception {
        List<HasMetadata> all = load("namespace.yaml", "rbac.yaml", "service.yaml", "redis.yaml");
        assertThat(all).allSatisfy(o -> {
            if (!o.getKind().equals("Namespace")) {
                assertThat(o.getMetadata().getNamespace()).isEqualTo("containerlease");
            }
        });
        Deployment servers = one(all, Deployment.class, "containerlease");
        assertThat(servers.getSpec().getReplicas()).isEqualTo(2);
        var pod = servers.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName())
                .isEqualTo(one(all, ServiceAccount.class, "containerlease")
                        .getMetadata()
                        .getName());
        var server = pod.getContainers().get(0);
        Map<String, String> env = new java.util.HashMap<>();
        server.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertThat(env).containsEntry("RUNTIME", "kubernetes").containsEntry("HOST", "0.0.0.0");
        assertThat(env.get("STORE")).startsWith("redis://containerlease-redis:");
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(server.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(server.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        Service service = one(all, Service.class, "containerlease");
        assertThat(service.getSpec().getSelector())
                .isEqualTo(servers.getSpec().getSelector().getMatchLabels())
                .isEqualTo(servers.getSpec().getTemplate().getMetadata().getLabels());
        Service redis = one(all, Service.class, "containerlease-redis");
        assertThat(env.get("STORE"))
                .contains(":" + redis.getSpec().getPorts().get(0).getPort());
        RoleBinding binding = one(all, RoleBinding.class, "containerlease");
        assertThat(binding.getSubjects())
                .singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo(pod.getServiceAccountName()));
        assertThat(binding.getRoleRef().getName()).isEqualTo("containerlease");
    }

    @Test
    void theRoleAllowsExactlyWhatTheRuntimeAsks() throws Exception {
        Set<String> allowed = new TreeSet<>();
        for (PolicyRule rule :
                one(load("rbac.yaml"), Role.class, "containerlease").getRules()) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    rule.getVerbs().forEach(verb -> allowed.add(group + "/" + resource + " " + verb));
                }
            }
        }
        Set<String> asked = new TreeSet<>(askedByTheRuntime());

        assertThat(allowed).as("rules the runtime does not need").isEqualTo(asked);
    }

    /** Everything the runtime does once, on the mock, and the (group/resource verb) of each request it made. */
    private Set<String> askedByTheRuntime() throws Exception {
        String namespace = "leases";
        try (var mock = KubernetesMock.start();
                var kubelet = FakeKubelet.start(mock, namespace)) {
            var client = mock.newClient();
            var runtime = new KubernetesContainerRuntime(
                    client,
                    namespace,
                    Map.of(),
                    "containerlease:test",
                    "/helper",
                    Duration.ofSeconds(20),
                    InstantSource.system());
            int before = mock.requests().size();
            runtime.ensureIsolation();
            String instance = "rbac-" + java.util.UUID.randomUUID();
            var events = new KubernetesContainerEvents(client, namespace)
                    .watch(instance, Instant.now(), new io.containerlease.lease.ContainerEvents.Sink() {
                        @Override
                        public void event(String containerId, Optional<LeaseId> leaseId, String action, Instant at) {}

                        @Override
                        public void closed(Throwable error) {}
                    });
            Lease lease = Lease.provisioning(
                    LeaseId.generate(Instant.now(), new Random()),
                    "busybox",
                    Instant.now(),
                    Duration.ofMinutes(5),
                    Duration.ofHours(1));
            String name = runtime.createAndStart(new ContainerSpec(
                    ManagedLabels.containerName(lease.id()),
                    ImageSpecs.busybox(),
                    Map.of(),
                    ManagedLabels.forLease(lease, instance),
                    Map.of("token", "x"),
                    ContainerSpec.Mounts.NONE,
                    Optional.of(Instant.now().plusSeconds(600))));
            runtime.holdDeadline(name, Instant.now().plusSeconds(300));
            runtime.listManaged(instance);
            runtime.inspect(name);
            runtime.exists(name);
            runtime.stop(name, Duration.ofSeconds(1));
            runtime.start(name);
            await().until(() -> runtime.inspect(name).orElseThrow().state()
                    == io.containerlease.lease.EngineContainer.State.RUNNING);
            var streams = new KubernetesContainerStreams(client, namespace);
            var logsEnded = new CountDownLatch(1);
            streams.followLogs(name, 10, null, new ContainerStreams.LogSink() {
                @Override
                public void line(boolean stderr, Instant timestamp, String text) {}

                @Override
                public void historyEnd() {}

                @Override
                public void closed(Throwable error) {
                    logsEnded.countDown();
                }
            });
            assertThat(logsEnded.await(30, TimeUnit.SECONDS)).isTrue();
            try {
                streams.openExec(name, List.of("true"), new ContainerStreams.ExecOutput() {
                    @Override
                    public void stdout(byte[] data) {}

                    @Override
                    public void stderr(byte[] data) {}

                    @Override
                    public void exited(OptionalInt status) {}
                });
            } catch (RuntimeException theMockHasNoKubeletBehindExec) {
                // the request was made, which is all this test needs
            }
            var usageEnded = new CountDownLatch(1);
            new KubernetesUsageStreams(client, namespace).follow(name, new UsageStreams.Sink() {
                @Override
                public void sample(ContainerUsage usage) {}

                @Override
                public void closed(Throwable error) {
                    usageEnded.countDown();
                }
            });
            assertThat(usageEnded.await(30, TimeUnit.SECONDS)).isTrue();
            var code =
                    new io.containerlease.runtime.kubernetes.KubernetesCodeEngine(client, namespace, Map.of(), 1 << 20);
            String claim = name + "-code";
            code.createVolume(claim, ManagedLabels.forLease(lease, instance));
            code.volumeLeases(instance);
            code.read(name, io.containerlease.helper.HelperBinary.DIRECTORY, java.io.OutputStream.nullOutputStream());
            code.exec(name, List.of("true"), Duration.ofSeconds(10));
            code.replace(
                    claim,
                    ImageSpecs.busybox(),
                    name + "-code-install",
                    ManagedLabels.forLease(lease, instance),
                    io.containerlease.support.TarGz.archive().file("x", "y").bytes());
            code.removeVolume(claim);
            runtime.remove(name);
            events.close();
            List<KubernetesMock.Request> requests =
                    mock.requests().subList(before, mock.requests().size());
            Set<String> asked = new HashSet<>();
            for (var request : requests) {
                asked.addAll(rbac(request));
            }
            return asked;
        }
    }

    /** What RBAC checks for one request; the fake kubelet's own (pod status, all pods unselected) are left out. */
    private static List<String> rbac(KubernetesMock.Request request) {
        Matcher m = PATH.matcher(request.path());
        if (!m.matches()) {
            return List.of();
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String resource = m.group(2);
        String name = m.group(3);
        String sub = m.group(4);
        String query = m.group(5) == null ? "" : m.group(5);
        if ("status".equals(sub)
                || (name == null && request.method().equals("GET") && !query.contains("labelSelector"))) {
            return List.of();
        }
        if ("exec".equals(sub) || "attach".equals(sub)) {
            return List.of(group + "/pods/" + sub + " get", group + "/pods/" + sub + " create");
        }
        String target = sub == null ? resource : resource + "/" + sub;
        String verb = switch (request.method()) {
            case "POST" -> "create";
            case "PATCH" -> "patch";
            case "PUT" -> "update";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> name != null ? "get" : query.contains("watch=true") ? "watch" : "list";
        };
        List<String> out = new ArrayList<>();
        out.add(group + "/" + target + " " + verb);
        return out;
    }

    private static List<HasMetadata> load(String... files) throws Exception {
        List<HasMetadata> all = new ArrayList<>();
        try (var mock = KubernetesMock.start()) {
            var client = mock.newClient();
            for (String file : files) {
                try (InputStream in = Files.newInputStream(DEPLOY.resolve(file))) {
                    all.addAll(client.load(in).items());
                }
            }
        }
        return all;
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> all, Class<T> kind, String name) {
        return all.stream()
                .filter(kind::isInstance)
                .map(kind::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }
}
