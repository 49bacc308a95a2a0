package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.Redactor;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The users of a data directory without a tokens file: one admin, whose token is told once and never printed by accident. */
class UsersTest {
    @TempDir
    Path dataDir;

    @Test
    void theAdminTokenIsInTheSignInAddressButNeverInTheUsersPrintedForm() {
        var config = ServiceConfig.fromEnvironment(Map.of("DATA_DIR", dataDir.toString()));
        try (var started = new Started()) {
            Users users = Users.load(config, new SecureRandom(), new Redactor(), started);
            String token = users.admin().orElseThrow();
            assertThat(users.signInUrl("http://127.0.0.1:1"))
                    .hasValueSatisfying(url -> assertThat(url).contains(token));
            assertThat(users.firstStartNotice("http://127.0.0.1:1")).isPresent();
            assertThat(users.toString()).doesNotContain(token).contains("<redacted>");

            Users again = Users.load(config, new SecureRandom(), new Redactor(), started);
            assertThat(again.admin()).contains(token);
            assertThat(again.firstStartNotice("http://127.0.0.1:1"))
                    .as("told on the first start only")
                    .isEmpty();
        }
    }
}
