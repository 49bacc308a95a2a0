package io.containerlease.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
    @TempDir
    Path dataDir;

    @Test
    void theFirstStartWritesAWholeTokenReadableByItsOwnerOnly() throws Exception {
        AdminToken.Loaded first = AdminToken.loadOrCreate(dataDir, new SecureRandom());
        assertThat(first.created()).isTrue();
        assertThat(first.token()).hasSizeGreaterThanOrEqualTo(TokenRegistry.MIN_TOKEN_LENGTH);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.file())))
                .isEqualTo("rw-------");
        try (var files = Files.list(dataDir)) {
            assertThat(files).as("no temporary file is left").containsExactly(first.file());
        }
        AdminToken.Loaded again = AdminToken.loadOrCreate(dataDir, new SecureRandom());
        assertThat(again.created()).isFalse();
        assertThat(again.token()).isEqualTo(first.token());
    }

    /** What a crash between creating and writing the file used to leave: it must never become an empty admin token. */
    @Test
    void anEmptyOrShortTokenFileIsRefusedNotUsed() throws Exception {
        Files.writeString(dataDir.resolve(AdminToken.FILE), "");
        assertThatThrownBy(() -> AdminToken.loadOrCreate(dataDir, new SecureRandom()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("delete the file");
        Files.writeString(dataDir.resolve(AdminToken.FILE), "short\n");
        assertThatThrownBy(() -> AdminToken.loadOrCreate(dataDir, new SecureRandom()))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void noSourceAcceptsATokenShorterThanSixteenCharacters() {
        assertThatThrownBy(() -> TokenRegistry.admin("fifteen-chars!!")).isInstanceOf(ConfigException.class);
        assertThat(TokenRegistry.admin("sixteen-chars!!!").authenticate("sixteen-chars!!!"))
                .isPresent();
    }
}
