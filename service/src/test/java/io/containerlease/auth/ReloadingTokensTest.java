package io.containerlease.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running server's users follow their file, and a broken edit never locks everyone out. */
class ReloadingTokensTest {
    @TempDir
    Path dir;

    @Test
    void aChangedFileTakesEffectAndABrokenOneIsIgnored() throws Exception {
        Path file = Files.writeString(
                dir.resolve("tokens.yaml"), "tokens:\n  - user: ops\n    token: ops-token-0123456789\n");
        List<TokenRegistry> loaded = new CopyOnWriteArrayList<>();
        try (ReloadingTokens tokens = new ReloadingTokens(file, TokenRegistry::load, loaded::add)) {
            assertThat(tokens.authenticate("ops-token-0123456789")).isPresent();
            assertThat(tokens.reloadIfChanged()).as("nothing changed").isFalse();

            new TokensFileEditor(file).add("bob", TokenRegistry.sha256("bob-token-0123456789"), false, false);
            assertThat(tokens.reloadIfChanged()).isTrue();
            assertThat(tokens.authenticate("bob-token-0123456789").orElseThrow().user())
                    .isEqualTo("bob");

            Files.writeString(file, "tokens: [oops\n");
            assertThat(tokens.reloadIfChanged()).isFalse();
            assertThat(tokens.authenticate("ops-token-0123456789"))
                    .as("the users from before stay")
                    .isPresent();

            Files.writeString(file, "tokens:\n  - user: ops\n    token: ops-token-new-0123456789\n");
            assertThat(tokens.reloadIfChanged()).isTrue();
            assertThat(tokens.authenticate("ops-token-0123456789")).isEmpty();
            assertThat(loaded)
                    .as("each registry read is told (to redact its plain tokens)")
                    .hasSize(3);
        }
    }

    @Test
    void aRotatedAdminTokenReplacesTheOldOne() throws Exception {
        var random = new java.security.SecureRandom();
        AdminToken.Loaded first = AdminToken.loadOrCreate(dir, random);
        try (ReloadingTokens tokens = new ReloadingTokens(first.file(), AdminToken::registry, r -> {})) {
            AdminToken.Loaded rotated = AdminToken.rotate(dir, random);
            assertThat(tokens.reloadIfChanged()).isTrue();
            assertThat(tokens.authenticate(first.token())).isEmpty();
            assertThat(tokens.authenticate(rotated.token()).orElseThrow().admin())
                    .isTrue();
            assertThat(Files.readString(first.file()).trim()).isEqualTo(rotated.token());
        }
    }
}
