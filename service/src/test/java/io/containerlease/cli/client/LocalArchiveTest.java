package io.containerlease.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code cp} downloads was made from a tenant's container: unpacked here, it must never write
 * outside the destination, through a link the archive made or one that was there.
 */
class LocalArchiveTest {
    @TempDir
    Path dir;

    private static final class Tar {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

        Tar file(String name, String content) throws IOException {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            var entry = new TarArchiveEntry(name, true);
            entry.setSize(data.length);
            out.putArchiveEntry(entry);
            out.write(data);
            out.closeArchiveEntry();
            return this;
        }

        Tar link(String name, String target) throws IOException {
            var entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            entry.setLinkName(target);
            out.putArchiveEntry(entry);
            out.closeArchiveEntry();
            return this;
        }

        ByteArrayInputStream stream() throws IOException {
            out.finish();
            return new ByteArrayInputStream(bytes.toByteArray());
        }
    }

    @Test
    void aDirectoryPackedAndUnpackedComesBackTheSameWithItsLinks() throws IOException {
        Path source = Files.createDirectories(dir.resolve("src/inner"));
        Files.writeString(source.resolve("a.txt"), "alpha");
        Files.createSymbolicLink(dir.resolve("src/link"), Path.of("inner/a.txt"));
        var packed = new ByteArrayOutputStream();
        LocalArchive.pack(dir.resolve("src"), "copy", packed);

        Path out = dir.resolve("out");
        int entries = LocalArchive.unpack(new ByteArrayInputStream(packed.toByteArray()), out, n -> n);

        assertThat(entries).isEqualTo(4);
        assertThat(Files.readString(out.resolve("copy/inner/a.txt"))).isEqualTo("alpha");
        assertThat(Files.readSymbolicLink(out.resolve("copy/link"))).isEqualTo(Path.of("inner/a.txt"));
    }

    @Test
    void namesLeadingOutAreRefused() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> LocalArchive.unpack(new Tar().file("../escape", "x").stream(), out, n -> n))
                .hasMessageContaining("leads out");
        assertThatThrownBy(() -> LocalArchive.unpack(new Tar().file("/tmp/abs", "x").stream(), out, n -> n))
                .hasMessageContaining("leads out");
        assertThat(dir.resolve("escape")).doesNotExist();
    }

    @Test
    void nothingIsWrittenThroughALinkTheArchiveMadeOrOneAlreadyThere() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path out = Files.createDirectories(dir.resolve("out"));
        assertThatThrownBy(() -> LocalArchive.unpack(
                        new Tar().link("trap", outside.toString()).file("trap/evil", "x").stream(), out, n -> n))
                .hasMessageContaining("through the link");
        Files.createSymbolicLink(out.resolve("there"), outside);
        assertThatThrownBy(() -> LocalArchive.unpack(new Tar().file("there/evil", "x").stream(), out, n -> n))
                .hasMessageContaining("through the link");
        // A file named as an existing link replaces the link; it does not write where it points.
        Files.writeString(outside.resolve("target"), "kept");
        Files.createSymbolicLink(out.resolve("pointer"), outside.resolve("target"));
        LocalArchive.unpack(new Tar().file("pointer", "new").stream(), out, n -> n);
        assertThat(Files.readString(outside.resolve("target"))).isEqualTo("kept");
        assertThat(Files.isSymbolicLink(out.resolve("pointer"))).isFalse();
        assertThat(outside.toFile().list()).containsExactly("target");
    }
}
