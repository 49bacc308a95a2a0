package io.containerlease.api;

import static io.containerlease.support.ApiClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.LeaseWorld;
import io.containerlease.support.RunningApi;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Start, stop, restart, pause, unpause over HTTP, on the fake engine: states, idempotence, refusals, authorisation. */
class WorkloadApiTest {
    private static final String ALICE = "alice-token-0123456789";
    private static final String BOB = "bob-token-0123456789ab";
    private RunningApi api;
    private LeaseWorld world;
    private ApiClient alice;
    private String lease;

    @BeforeEach
    void start() {
        api = RunningApi.withUsers(Map.of("alice", ALICE, "bob", BOB));
        world = api.world;
        alice = new ApiClient(api.baseUrl(), ALICE);
        lease = alice.provision("busybox", "durationMinutes", 10);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private JsonNode act(String action) {
        ApiClient.Response r = alice.post("/api/containers/" + lease + "/" + action, null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void theLeaseShowsItsContainerAndEachActionAnswersTheNewState() {
        assertThat(alice.get("/api/containers/" + lease)
                        .json()
                        .at("/container/state")
                        .asText())
                .isEqualTo("running");
        assertThat(act("stop").at("/container/state").asText()).isEqualTo("stopped");
        assertThat(act("stop").at("/container/state").asText())
                .as("stopping a stopped container is fine")
                .isEqualTo("stopped");
        JsonNode started = act("start");
        assertThat(started.at("/container/state").asText()).isEqualTo("running");
        assertThat(started.at("/status").asText()).isEqualTo("running");
        assertThat(act("pause").at("/container/state").asText()).isEqualTo("paused");
        assertThat(act("pause").at("/container/state").asText()).isEqualTo("paused");
        assertThat(act("unpause").at("/container/state").asText()).isEqualTo("running");
        assertThat(act("restart").at("/container/state").asText()).isEqualTo("running");
        assertThat(alice.get("/api/containers")
                        .json()
                        .at("/containers/0/container/state")
                        .asText())
                .isEqualTo("running");
    }

    @Test
    void aMoveTheContainerCannotMakeIsAConflictThatSaysItsState() {
        var r = alice.post("/api/containers/" + lease + "/unpause", null);
        assertError(r, 409, "invalid_state");
        assertThat(r.json().at("/error/message").asText()).contains("running");
        act("pause");
        assertError(alice.post("/api/containers/" + lease + "/start", null), 409, "invalid_state");
        assertError(alice.post("/api/containers/" + lease + "/restart", null), 409, "invalid_state");
    }

    @Test
    void aProgramThatEndedByItselfIsExitedWithItsCode() {
        world.runtime.exitByItself(ManagedLabels.containerName(new LeaseId(lease)), 3);
        world.containers.refresh(new LeaseId(lease));
        JsonNode container = alice.get("/api/containers/" + lease).json().get("container");
        assertThat(container.get("state").asText()).isEqualTo("exited");
        assertThat(container.get("exitCode").asInt()).isEqualTo(3);
        assertThat(act("start").at("/container/state").asText()).isEqualTo("running");
    }

    @Test
    void onlyTheOwnerControlsAndAnEndedLeaseIsNotRunning() {
        assertError(
                new ApiClient(api.baseUrl(), BOB).post("/api/containers/" + lease + "/stop", null),
                404,
                "lease_not_found");
        assertThat(alice.delete("/api/containers/" + lease).status()).isEqualTo(200);
        assertError(alice.post("/api/containers/" + lease + "/stop", null), 409, "lease_not_running");
    }

    @Test
    void aStopTimeoutIsAWholeNumberOfSecondsAndNothingElseIsAccepted() {
        assertThat(alice.post("/api/containers/" + lease + "/stop", "{\"timeoutSeconds\":0}")
                        .status())
                .isEqualTo(200);
        assertError(
                alice.post("/api/containers/" + lease + "/restart", "{\"timeoutSeconds\":-1}"), 400, "invalid_field");
        assertError(alice.post("/api/containers/" + lease + "/start", "{\"timeoutSeconds\":3}"), 400, "unknown_field");
        assertError(
                alice.post("/api/containers/" + lease + "/stop", "{\"timeoutSeconds\":\"soon\"}"),
                400,
                "invalid_field");
    }

    @Test
    void everyActionIsInTheActivityLog() {
        act("stop");
        alice.post("/api/containers/" + lease + "/unpause", null);
        JsonNode entries = alice.get("/api/activity?leaseId=" + lease).json().get("entries");
        assertThat(entries)
                .extracting(
                        e -> e.get("action").asText() + "/" + e.get("outcome").asText())
                .startsWith("unpause/refused", "stop/succeeded");
        assertThat(entries.get(1).get("reason").asText()).isEqualTo("container stopped");
    }
}
