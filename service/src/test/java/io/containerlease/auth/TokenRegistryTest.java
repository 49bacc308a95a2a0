package io.containerlease.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.config.ConfigException;
import io.containerlease.lease.Caller;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenRegistryTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("tokens.yaml"), yaml);
    }

    @Test
    void usersAuthenticateByTokenOrByItsHash() throws Exception {
        String opsToken = "ops-token-0123456789";
        TokenRegistry registry =
                TokenRegistry.load(write("""
                tokens:
                  - user: alice
                    token: "alice-token-0123456789"
                  - user: ops
                    tokenSha256: "%s"
                    role: admin
                """.formatted(HexFormat.of().formatHex(TokenRegistry.sha256(opsToken)))));
        assertThat(registry.authenticate("alice-token-0123456789")).contains(new Caller("alice", false));
        assertThat(registry.authenticate(opsToken)).contains(new Caller("ops", true));
        assertThat(registry.authenticate("alice-token-012345678")).isEmpty();
        assertThat(registry.plaintextTokens()).containsExactly("alice-token-0123456789");
    }

    @Test
    void everyMistakeIsNamedAtOnce() throws Exception {
        Path file = write("""
                tokens:
                  - user: alice
                    token: "too-short"
                  - user: bob
                    token: "bob-token-0123456789"
                    tokenSha256: "abc"
                  - user: carol
                    tokenSha256: "not-hex"
                  - user: dave
                    token: "dave-token-0123456789"
                    role: root
                """);
        assertThatThrownBy(() -> TokenRegistry.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tokens[0]: 'token' must be at least 16")
                .hasMessageContaining("tokens[1]: give exactly one")
                .hasMessageContaining("tokens[2]: 'tokenSha256' must be 64 hex digits")
                .hasMessageContaining("tokens[3]: 'role' must be user or admin");
    }

    @Test
    void theFileIsBoundStrictly() throws Exception {
        assertThatThrownBy(() -> TokenRegistry.load(
                        write("tokens:\n  - user: alice\n    token: \"alice-token-0123456789\"\n    expires: 5\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown field 'expires'");
        assertThatThrownBy(() -> TokenRegistry.load(write("tokens:\n  - user: [alice]\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("wrong type");
        assertThatThrownBy(() -> TokenRegistry.load(write("tokens: []\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("non-empty 'tokens' list");
        assertThatThrownBy(() -> TokenRegistry.load(dir.resolve("missing.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read");
    }
}
