package io.containerlease.api.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.support.RunningApi;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorKindsTest {
    @Test
    void everyErrorSaysItsCategoryAndWhetherTryingAgainCanHelp() {
        assertThat(ErrorKinds.category(400, "invalid_field")).isEqualTo("validation");
        assertThat(ErrorKinds.category(401, "invalid_token")).isEqualTo("auth");
        assertThat(ErrorKinds.category(403, "origin_not_allowed")).isEqualTo("auth");
        assertThat(ErrorKinds.category(404, "lease_not_found")).isEqualTo("not_found");
        assertThat(ErrorKinds.category(409, "invalid_state")).isEqualTo("conflict");
        assertThat(ErrorKinds.category(429, "quota_exceeded")).isEqualTo("quota");
        assertThat(ErrorKinds.category(502, "image_unavailable")).isEqualTo("docker");
        assertThat(ErrorKinds.category(503, "docker_unavailable")).isEqualTo("docker");
        assertThat(ErrorKinds.category(503, "store_unavailable")).isEqualTo("store");
        assertThat(ErrorKinds.category(500, "internal_error")).isEqualTo("system");
        assertThat(ErrorKinds.retryable("rate_limited")).isTrue();
        assertThat(ErrorKinds.retryable("docker_unavailable")).isTrue();
        assertThat(ErrorKinds.retryable("quota_exceeded"))
                .as("a user over quota must release a lease first")
                .isFalse();
        assertThat(ErrorKinds.retryable("invalid_state")).isFalse();
    }

    @Test
    void theyArriveInTheErrorBodyFromRoutesAndFromJettyAlike() {
        try (RunningApi api = RunningApi.open()) {
            var client = api.client();
            var refused = client.post("/api/provision", "{\"imageType\":\"nope\",\"durationMinutes\":1}");
            assertThat(refused.json().at("/error/category").asText()).isEqualTo("validation");
            assertThat(refused.json().at("/error/retryable").asBoolean()).isFalse();
            var missing = client.get("/api/containers/01m8033dce7fxx86sz54ktzqb1");
            assertThat(missing.json().at("/error/category").asText()).isEqualTo("not_found");
            var tooLong = new io.containerlease.support.RawHttp("127.0.0.1", api.port())
                    .send("GET", "/api/containers?x=" + "a".repeat(20_000), Map.of(), null, null);
            assertThat(tooLong.json().at("/error/category").asText()).isEqualTo("validation");
        }
    }
}
