package io.containerlease.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Editing a tokens file as a person would: comments kept, every result readable by the server. */
class TokensFileEditorTest {
    @TempDir
    Path dir;

    private static final String HAND_WRITTEN = """
            # Our team. Rotate quarterly.
            tokens:
                # the on-call admin
                -   user: ops
                    token: "ops-token-0123456789"   # from the vault
                    role: admin

                # a student
                -   user: alice
                    tokenSha256: "%s"
            # end of file
            """.formatted("a".repeat(64));

    @Test
    void createsAFileOwnerOnlyWithJustTheHash() throws Exception {
        Path file = dir.resolve("tokens.yaml");
        new TokensFileEditor(file).add("alice", TokenRegistry.sha256("alice-new-token-0123"), false, false);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(file))
                .doesNotContain("alice-new-token-0123")
                .contains("tokenSha256");
        assertThat(TokenRegistry.load(file).authenticate("alice-new-token-0123"))
                .isPresent();
    }

    @Test
    void addingKeepsEveryCommentAndTheIndentationOfTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens.yaml"), HAND_WRITTEN);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        new TokensFileEditor(file).add("bob", TokenRegistry.sha256("bob-token-0123456789"), true, false);
        String text = Files.readString(file);
        assertThat(text)
                .startsWith(HAND_WRITTEN
                        .substring(0, HAND_WRITTEN.indexOf("# end of file"))
                        .stripTrailing())
                .contains("# Our team.", "# from the vault", "# a student", "# end of file")
                .contains("\n    -   user: bob\n        tokenSha256: ");
        TokenRegistry registry = TokenRegistry.load(file);
        assertThat(registry.authenticate("bob-token-0123456789").orElseThrow().admin())
                .isTrue();
        assertThat(registry.authenticate("ops-token-0123456789")).isPresent();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .as("permissions kept")
                .isEqualTo("rw-r-----");
    }

    @Test
    void replacingAndRevokingCutOutOnlyThatUsersEntries() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens.yaml"), HAND_WRITTEN);
        TokensFileEditor editor = new TokensFileEditor(file);
        editor.add("ops", TokenRegistry.sha256("ops-rotated-0123456789"), true, true);
        TokenRegistry registry = TokenRegistry.load(file);
        assertThat(registry.authenticate("ops-token-0123456789"))
                .as("the old token is gone")
                .isEmpty();
        assertThat(registry.authenticate("ops-rotated-0123456789")).isPresent();
        assertThat(Files.readString(file))
                .contains("# a student", "user: alice", "# end of file")
                .doesNotContain("from the vault");

        assertThat(editor.revoke("alice")).isEqualTo(1);
        assertThat(editor.entries()).extracting(TokenRegistry.Entry::user).containsExactly("ops");
        assertThat(editor.revoke("nobody")).isZero();
        assertThatThrownBy(() -> editor.revoke("ops"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("only user");
        assertThat(editor.entries()).hasSize(1);
        editor.add("ops", TokenRegistry.sha256("ops-third-0123456789"), true, true);
        assertThat(editor.entries()).as("the only user gets a new token").hasSize(1);
        assertThat(TokenRegistry.load(file).authenticate("ops-third-0123456789"))
                .isPresent();
    }

    @Test
    void editsAtOnceFromSeveralThreadsAreAllKept() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens.yaml"), HAND_WRITTEN);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            var done = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < 16; i++) {
                String user = "user" + i;
                done.add(pool.submit(() -> new TokensFileEditor(file)
                        .add(user, TokenRegistry.sha256(user + "-token-0123456789"), false, false)));
            }
            for (var f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(new TokensFileEditor(file).entries()).hasSize(18);
    }

    @Test
    void aJsonFileIsWrittenAnewAsJson() throws Exception {
        Path file = Files.writeString(
                dir.resolve("tokens.json"),
                "{\"tokens\": [{\"user\": \"ops\", \"token\": \"ops-token-0123456789\", \"role\": \"admin\"}]}");
        new TokensFileEditor(file).add("bob", TokenRegistry.sha256("bob-token-0123456789"), false, false);
        assertThat(Files.readString(file)).startsWith("{");
        assertThat(TokenRegistry.load(file).entries())
                .extracting(TokenRegistry.Entry::user)
                .containsExactly("ops", "bob");
    }

    @Test
    void aFileItCannotEditSafelyIsLeftAsItWas() throws Exception {
        String flow = "tokens: [{user: ops, token: ops-token-0123456789, role: admin}]\n";
        Path file = Files.writeString(dir.resolve("tokens.yaml"), flow);
        assertThatThrownBy(() -> new TokensFileEditor(file)
                        .add("bob", TokenRegistry.sha256("bob-token-0123456789"), false, false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("edit it by hand");
        assertThat(Files.readString(file)).isEqualTo(flow);
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "tokens:\n  - user: [x]\n");
        assertThatThrownBy(() -> new TokensFileEditor(broken)
                        .add("bob", TokenRegistry.sha256("bob-token-0123456789"), false, false))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new TokensFileEditor(file).add("Bad Name", new byte[32], false, false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a user name");
    }
}
