package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.FakeKubelet;
import io.containerlease.support.KubernetesMock;
import io.containerlease.support.RedisServer;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TarGz;
import io.containerlease.support.WsClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service with {@code RUNTIME=kubernetes}, on fabric8's API server mock with our fake
 * kubelet: leases through the REST API become pods and go, they expire, orphans are removed, and a
 * lease's pod ends by its {@code activeDeadlineSeconds} with every server of ours dead.
 */
@Timeout(240)
class KubernetesLeasesIT {
    private static final String NAMESPACE = "leases";
    private final KubernetesMock mock = KubernetesMock.start();
    private final FakeKubelet kubelet = FakeKubelet.start(mock, NAMESPACE);
    private final KubernetesClient look = mock.newClient();

    @TempDir
    Path dir;

    private ContainerLeaseServer server;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(
                dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                users:
                - name: containerlease
                  user: {token: not-checked-by-the-mock}
                contexts:
                - name: mock
                  context: {cluster: mock, user: containerlease, namespace: %s}
                current-context: mock
                """.formatted(look.getMasterUrl().toString(), NAMESPACE));
        Files.writeString(dir.resolve("catalog.yaml"), """
                images:
                  busybox:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                  pooled:
                    image: containerlease/busybox:latest
                    command: ["sleep", "inf"]
                    pullPolicy: never
                    warmPool: 1
                  echo:
                    image: containerlease/busybox:latest
                    command: ["socat", "UNIX-LISTEN:/run/containerlease/channel.sock,fork,unlink-early", "EXEC:cat"]
                    pullPolicy: never
                    channel: true
                  app:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "[ -f /app/start.sh ] && exec sh /app/start.sh; exec socat UNIX-LISTEN:$CONTAINERLEASE_CHANNEL,fork,unlink-early EXEC:cat"]
                    shell: ["/bin/sh"]
                    pullPolicy: never
                    channel: true
                    code:
                      path: /app
                      healthCheck:
                        graceSeconds: 2
                        timeoutSeconds: 30
                  talker:
                    image: containerlease/busybox:latest
                    command: ["sh", "-c", "echo first-line; echo second-line >&2; sleep 600"]
                    pullPolicy: never
                """);
        startServer();
    }

    private void startServer() {
        server = startServer("data", Map.of());
        api = new ApiClient(server.baseUrl());
    }

    private ContainerLeaseServer startServer(String dataDir, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "PORT", "0",
                "AUTH", "off",
                "DATA_DIR", dir.resolve(dataDir).toString(),
                "IMAGE_CATALOG", dir.resolve("catalog.yaml").toString(),
                "RECONCILE_INTERVAL_SECONDS", "1",
                "RUNTIME", "kubernetes",
                "KUBECONFIG", dir.resolve("kubeconfig").toString(),
                "KUBERNETES_NAMESPACE", NAMESPACE,
                "POOL_MAX_TOTAL", "1"));
        env.put("LEASE_MAX_MINUTES", "1");
        env.put("DEADMAN_MARGIN_SECONDS", "0");
        env.put("PREVIEW_PORT", "0"); // two servers at once in one test: each previews on a free port
        env.putAll(more);
        return ContainerLeaseServer.start(ServiceConfig.fromEnvironment(env));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        kubelet.close();
        mock.close();
    }

    @Test
    void aLeaseIsAPodFromProvisionToRelease() {
        String id = api.provision("busybox", "durationSeconds", 50);
        String podName = ManagedLabels.containerName(new LeaseId(id));

        var lease = api.get("/api/containers/" + id);
        assertThat(lease.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> api.get("/api/containers/" + id)
                                .json()
                                .path("container")
                                .path("state")
                                .asText(),
                        "running"::equals);
        Pod pod = look.pods().inNamespace(NAMESPACE).withName(podName).get();
        assertThat(pod.getMetadata().getLabels()).containsEntry(ManagedLabels.LEASE_ID, id);
        assertThat(pod.getSpec().getActiveDeadlineSeconds()).isBetween(55L, 61L);
        assertThat(api.get("/healthz").status()).isEqualTo(200);

        var paused = api.post("/api/containers/" + id + "/pause", "{}");
        ApiClient.assertError(paused, 409, "not_supported");
        var stats = api.get("/api/containers/" + id + "/stats");
        assertThat(stats.status()).isEqualTo(503);
        assertThat(stats.json().at("/error/message").asText()).contains("no metrics API");
        var stopped = api.post("/api/containers/" + id + "/stop", "{\"timeoutSeconds\":1}");
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
        assertThat(stopped.json().at("/container/state").asText()).isEqualTo("stopped");
        var started = api.post("/api/containers/" + id + "/start", "{}");
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> api.get("/api/containers/" + id)
                                .json()
                                .at("/container/state")
                                .asText(),
                        "running"::equals);

        var extended = api.post("/api/containers/" + id + "/extend", "{\"durationSeconds\":5}");
        assertThat(extended.status()).as(extended.body()).isEqualTo(200);

        assertThat(api.delete("/api/containers/" + id).status()).isIn(200, 202, 204);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        look.pods().inNamespace(NAMESPACE).withName(podName).get() == null);
    }

    @Test
    void aTerminalAndTheLogReachThePodThroughTheApi() {
        String id = api.provision("talker", "durationSeconds", 50);
        try (WsClient term = WsClient.connect(server.baseUrl(), "/ws/terminal/" + id + "?cols=90&rows=30")) {
            term.awaitType("session", Duration.ofSeconds(20));
            term.sendBytes("echo hel''lo-from-the-pod\n");
            term.awaitOutput("hello-from-the-pod", Duration.ofSeconds(20));
            term.sendText("{\"type\":\"resize\",\"cols\":101,\"rows\":33}");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> kubelet.resizes().stream().anyMatch(r -> r.contains("101") && r.contains("33")));
        }
        try (WsClient logs = WsClient.connect(server.baseUrl(), "/ws/logs/" + id)) {
            logs.await(t -> "second-line".equals(t.path("message").asText()), Duration.ofSeconds(20));
            // One line on stdout, one on stderr: the fake kubelet reads them from two pipes, so either may come first.
            assertThat(logs.texts.stream().map(t -> t.path("message").asText()))
                    .contains("first-line", "second-line")
                    .doesNotHaveDuplicates();
        }
    }

    /** The channel goes through the pod's exec to our helper's relay, as on Docker through the engine's. */
    @Test
    void aMessageReachesTheProgramInThePodAndItsReplyComesBack() {
        String id = api.provision("echo", "durationSeconds", 50);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.get("/api/containers/" + id + "/channel")
                        .json()
                        .path("connected")
                        .asBoolean());

        var reply = api.post("/api/containers/" + id + "/messages", "{\"payload\":{\"hello\":\"pod\"}}");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().at("/reply/payload/hello").asText()).isEqualTo("pod");
        Pod pod = look.pods()
                .inNamespace(NAMESPACE)
                .withName(ManagedLabels.containerName(new LeaseId(id)))
                .get();
        assertThat(pod.getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"))
                .allSatisfy(v -> assertThat(v.getHostPath()).isNull());
    }

    /** Code in a claim of the lease's own, put there by an installer pod; the pod made anew runs it. */
    @Test
    void aCodeUpdateRunsInThePodAndOneThatFailsIsRolledBack() {
        String id = api.provision("app", "durationSeconds", 50);
        String code = "/api/containers/" + id + "/code";
        String claim = ManagedLabels.containerName(new LeaseId(id)) + "-code";
        assertThat(look.persistentVolumeClaims()
                        .inNamespace(NAMESPACE)
                        .withName(claim)
                        .get())
                .isNotNull();

        var v2 = api.sendBytes("PUT", code, answering("v2"), "application/gzip");
        assertThat(v2.status()).as(v2.body()).isEqualTo(200);
        assertThat(v2.json().get("status").asText()).as(v2.body()).isEqualTo("active");
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertThat(answeringVersion(id)).isEqualTo("v2");

        var broken = api.sendBytes(
                "PUT",
                code,
                TarGz.archive().file("start.sh", "echo broken >&2; exit 3").bytes(),
                "application/gzip");
        assertThat(broken.json().get("status").asText()).as(broken.body()).isEqualTo("rolled_back");
        assertThat(answeringVersion(id)).as("the version before answers again").isEqualTo("v2");
        assertThat(look.pods()
                        .inNamespace(NAMESPACE)
                        .withName(claim + "-install")
                        .get())
                .as("no installer pod left")
                .isNull();

        assertThat(api.delete("/api/containers/" + id).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> look.persistentVolumeClaims()
                                .inNamespace(NAMESPACE)
                                .withName(claim)
                                .get()
                        == null);
    }

    /**
     * A code version answering every message with its name; its handler sits beside its start script
     * (the fake kubelet runs programs on this machine, whose /tmp is not the pod's own).
     */
    private static byte[] answering(String version) {
        return TarGz.archive()
                .file(
                        "start.sh",
                        "exec socat UNIX-LISTEN:$CONTAINERLEASE_CHANNEL,fork,unlink-early EXEC:\"sh $(dirname $0)/h\"\n")
                .file("h", """
                        while IFS= read -r line; do
                          id=$(printf '%s' "$line" | sed -n 's/.*"id":"\\([^"]*\\)".*/\\1/p')
                          printf '{"id":"%s","type":"reply","payload":{"version":"VERSION"}}\\n' "$id"
                        done
                        """.replace("VERSION", version))
                .bytes();
    }

    private String answeringVersion(String id) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var channel = api.get("/api/containers/" + id + "/channel");
            assertThat(channel.json().path("connected").asBoolean())
                    .as(channel.body())
                    .isTrue();
        });
        var reply = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> api.post("/api/containers/" + id + "/messages", "{\"payload\":{}, \"timeoutMs\": 2000}"),
                        r -> r.status() == 200);
        return reply.json().at("/reply/payload/version").asText();
    }

    /** Files through the helper's files command over the pod's exec: in, out, unpacked, listed, removed. */
    @Test
    void filesGoInAndOutOfThePodThroughTheHelperOverExec() {
        String id = api.provision("app", "durationSeconds", 50);
        String files = "/api/containers/" + id + "/files";
        var up = api.sendBytes(
                "PUT",
                files + "?path=/app/notes.txt",
                "hello pod".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/octet-stream");
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        var down = api.get(files + "?path=/app/notes.txt");
        assertThat(down.status()).as(down.body()).isEqualTo(200);
        assertThat(down.body()).isEqualTo("hello pod");

        var unpacked = api.sendBytes(
                "PUT",
                files + "?path=/app/unpacked&extract=true",
                TarGz.archive().file("a/b.txt", "bee").bytes(),
                "application/gzip");
        assertThat(unpacked.status()).as(unpacked.body()).isEqualTo(201);
        var listed = api.get(files + "/list?path=/app/unpacked/a");
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.json().get("entries").get(0).get("name").asText()).isEqualTo("b.txt");
        assertThat(listed.json().get("entries").get(0).get("size").asLong()).isEqualTo(3);

        assertThat(api.delete(files + "?path=/app/unpacked").status()).isEqualTo(204);
        ApiClient.assertError(api.get(files + "/list?path=/app/unpacked"), 404, "file_not_found");
    }

    @Test
    void aWarmPoolOfPodsGivesALeaseAWaitingPodAndMakesAnother() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/healthz")
                                .json()
                                .at("/warmPool/pooled/waiting")
                                .asInt()
                        == 1);
        var waiting = look.pods()
                .inNamespace(NAMESPACE)
                .withLabel(ManagedLabels.POOL)
                .list()
                .getItems();
        assertThat(waiting).singleElement();
        String pooledPod = waiting.get(0).getMetadata().getName();

        String id = api.provision("pooled", "durationSeconds", 50);

        assertThat(ManagedLabels.containerName(new LeaseId(id))).isEqualTo(pooledPod);
        assertThat(api.get("/api/containers/" + id)
                        .json()
                        .at("/container/state")
                        .asText())
                .isEqualTo("running");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/healthz")
                                .json()
                                .at("/warmPool/pooled/waiting")
                                .asInt()
                        == 1);
        assertThat(look.pods()
                        .inNamespace(NAMESPACE)
                        .withLabel(ManagedLabels.POOL)
                        .list()
                        .getItems())
                .extracting(p -> p.getMetadata().getName())
                .contains(pooledPod)
                .hasSize(2);
    }

    /** Several servers on one Redis drive one namespace: each sees the others' leases, and takes over a stopped one's. */
    @Test
    void twoServersOnOneRedisShareTheLeasesAndOneTakesOverTheOthers() {
        server.close();
        server = null;
        try (var redis = RedisServer.start(dir.resolve("redis"))) {
            Map<String, String> shared = Map.of("STORE", redis.url(), "HEARTBEAT_SECONDS", "1", "POOL_MAX_TOTAL", "0");
            var first = startServer("first", shared);
            var second = startServer("second", shared);
            try {
                var one = new ApiClient(first.baseUrl());
                var two = new ApiClient(second.baseUrl());
                String released = one.provision("busybox", "durationSeconds", 50);
                assertThat(two.get("/api/containers/" + released)
                                .json()
                                .at("/container/state")
                                .asText())
                        .isEqualTo("running");
                assertThat(two.delete("/api/containers/" + released).status()).isEqualTo(200);
                assertThat(look.pods()
                                .inNamespace(NAMESPACE)
                                .withName(ManagedLabels.containerName(new LeaseId(released)))
                                .get())
                        .isNull();

                String orphaned = one.provision("busybox", "durationSeconds", 8);
                first.close();
                first = null;
                String pod = ManagedLabels.containerName(new LeaseId(orphaned));
                await().atMost(Duration.ofSeconds(40))
                        .until(() ->
                                look.pods().inNamespace(NAMESPACE).withName(pod).get() == null);
                assertThat(two.get("/api/containers/" + orphaned)
                                .json()
                                .path("endReason")
                                .asText())
                        .isEqualTo("expired");
            } finally {
                if (first != null) {
                    first.close();
                }
                second.close();
            }
        }
    }

    /** The twin of CrashRecoveryIT: a server process killed with kill -9, its leases' pods left to the cluster. */
    @Test
    void afterAKillNineTheExpiredLeasesPodEndsAndGoesAndTheOtherRunsOn() {
        server.close();
        server = null;
        Map<String, String> env = Map.of(
                "RUNTIME",
                "kubernetes",
                "KUBECONFIG",
                dir.resolve("kubeconfig").toString(),
                "KUBERNETES_NAMESPACE",
                NAMESPACE,
                "IMAGE_CATALOG",
                dir.resolve("catalog.yaml").toString(),
                "RECONCILE_INTERVAL_SECONDS",
                "1",
                "DEADMAN_MARGIN_SECONDS",
                "0");
        Path data = dir.resolve("killed");
        try (var first = ServerProcess.start(data, env).awaitReady(Duration.ofSeconds(60))) {
            var killed = new ApiClient(first.baseUrl());
            String shortOne = killed.provision("busybox", "durationSeconds", 10);
            String longOne = killed.provision("busybox", "durationMinutes", 10);
            String shortPod = ManagedLabels.containerName(new LeaseId(shortOne));
            Instant expiry = Instant.parse(killed.get("/api/containers/" + shortOne)
                    .json()
                    .path("expiryTime")
                    .asText());
            // The server told the pod's helper the lease's expiry: from then on it needs no server.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> kubelet.heldDeadline(shortPod)
                            .map(held -> !held.isAfter(expiry.plusSeconds(1)))
                            .orElse(false));
            first.kill9();

            Pod ended = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> look.pods()
                                    .inNamespace(NAMESPACE)
                                    .withName(shortPod)
                                    .get(),
                            p -> p != null && "Succeeded".equals(p.getStatus().getPhase()));
            assertThat(Instant.parse(ended.getStatus()
                            .getContainerStatuses()
                            .get(0)
                            .getState()
                            .getTerminated()
                            .getFinishedAt()))
                    .isBetween(expiry.minusSeconds(1), expiry.plusSeconds(5));
            try (var again = ServerProcess.start(data, env).awaitReady(Duration.ofSeconds(60))) {
                var back = new ApiClient(again.baseUrl());
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> look.pods()
                                        .inNamespace(NAMESPACE)
                                        .withName(shortPod)
                                        .get()
                                == null);
                assertThat(back.get("/api/containers/" + shortOne)
                                .json()
                                .path("endReason")
                                .asText())
                        .isEqualTo("expired");
                assertThat(back.get("/api/containers/" + longOne)
                                .json()
                                .at("/container/state")
                                .asText())
                        .isEqualTo("running");
                assertThat(back.delete("/api/containers/" + longOne).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void anExpiredLeasesPodIsRemovedAndAnOrphanToo() {
        String cluster = api.get("/healthz").json().path("cluster").asText();
        String orphan = ManagedLabels.containerName(LeaseId.generate(Instant.now(), new Random()));
        look.pods()
                .inNamespace(NAMESPACE)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(orphan)
                        .withLabels(Map.of(ManagedLabels.INSTANCE, cluster))
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("lease")
                        .withImage("containerlease/busybox:latest")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        String id = api.provision("busybox", "durationSeconds", 3);
        String podName = ManagedLabels.containerName(new LeaseId(id));
        assertThat(look.pods().inNamespace(NAMESPACE).withName(podName).get()).isNotNull();

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        look.pods().inNamespace(NAMESPACE).withName(podName).get() == null);
        assertThat(api.get("/api/containers/" + id).json().path("endReason").asText())
                .isEqualTo("expired");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> look.pods().inNamespace(NAMESPACE).withName(orphan).get() == null);
    }

    /** The lease's expiry reaches its pod's helper, which ends the pod then with no server of ours alive. */
    @Test
    void withEveryServerDeadTheHelperEndsThePodAtTheLeasesExpiry() {
        String id = api.provision("busybox", "durationSeconds", 6);
        String podName = ManagedLabels.containerName(new LeaseId(id));
        Instant expiry = Instant.parse(
                api.get("/api/containers/" + id).json().path("expiryTime").asText());
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> kubelet.heldDeadline(podName),
                        held -> held.equals(java.util.Optional.of(
                                Instant.ofEpochSecond(expiry.getEpochSecond() + (expiry.getNano() > 0 ? 1 : 0)))));
        server.close();
        server = null;

        Pod ended = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> look.pods()
                                .inNamespace(NAMESPACE)
                                .withName(podName)
                                .get(),
                        p -> p != null && "Succeeded".equals(p.getStatus().getPhase()));
        assertThat(Instant.parse(ended.getStatus()
                        .getContainerStatuses()
                        .get(0)
                        .getState()
                        .getTerminated()
                        .getFinishedAt()))
                .isBetween(expiry.minusSeconds(1), expiry.plusSeconds(5));
    }

    /** The cluster is the backstop: no server of ours is alive when the lease's pod must end, and its helper fails too. */
    @Test
    void aLeasesPodEndsByItsDeadlineWithEveryServerDeadAndIsRemovedWhenOneComesBack() {
        String id = api.provision("busybox", "durationSeconds", 20);
        String podName = ManagedLabels.containerName(new LeaseId(id));
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> api.get("/api/containers/" + id)
                                .json()
                                .at("/container/state")
                                .asText(),
                        "running"::equals);
        // The helper would end it at the lease's expiry; here it fails too, and only the cluster is left.
        kubelet.helpersFail();
        server.close();
        server = null;

        Pod ended = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> look.pods()
                                .inNamespace(NAMESPACE)
                                .withName(podName)
                                .get(),
                        p -> p != null && "Failed".equals(p.getStatus().getPhase()));
        assertThat(ended.getStatus().getReason()).isEqualTo("DeadlineExceeded");

        startServer();
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        look.pods().inNamespace(NAMESPACE).withName(podName).get() == null);
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> api.get("/api/containers/" + id)
                                .json()
                                .path("endReason")
                                .asText(),
                        "expired"::equals);
    }
}
