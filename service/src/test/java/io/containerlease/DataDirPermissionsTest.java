package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirPermissionsTest {
    @TempDir
    Path dir;

    @Test
    void theDataDirectoryBecomes0700AndItsFiles0600AndALinkIsNotFollowed() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path db = Files.writeString(data.resolve("containerlease.db"), "x");
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        Path token = Files.writeString(data.resolve("admin-token"), "t");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("r--------"));
        Path outside = Files.writeString(dir.resolve("outside"), "o");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(data.resolve("link"), outside);

        DataDirPermissions.tighten(data);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token)))
                .as("already tighter")
                .isEqualTo("r--------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(outside, LinkOption.NOFOLLOW_LINKS)))
                .as("what a link points at is not ours to change")
                .isEqualTo("rw-r--r--");
    }
}
