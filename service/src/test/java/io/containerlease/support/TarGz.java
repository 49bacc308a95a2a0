package io.containerlease.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds {@code .tar.gz} archives for code-update tests, hostile ones included. */
public final class TarGz {
    private final List<Consumer<TarArchiveOutputStream>> entries = new ArrayList<>();

    public static TarGz archive() {
        return new TarGz();
    }

    public TarGz file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public TarGz file(String name, byte[] content, int mode) {
        entries.add(tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name, true); // names as given: absolute ones too
            entry.setSize(content.length);
            entry.setMode(mode);
            write(tar, entry, content);
        });
        return this;
    }

    public TarGz symlink(String name, String target) {
        return link(name, target, TarConstants.LF_SYMLINK);
    }

    public TarGz hardLink(String name, String target) {
        return link(name, target, TarConstants.LF_LINK);
    }

    /** A special entry of the given type flag ({@link TarConstants#LF_CHR}, {@link TarConstants#LF_FIFO}…). */
    public TarGz special(String name, byte type) {
        entries.add(tar -> write(tar, new TarArchiveEntry(name, type), new byte[0]));
        return this;
    }

    private TarGz link(String name, String target, byte type) {
        entries.add(tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name, type);
            entry.setLinkName(target);
            write(tar, entry, new byte[0]);
        });
        return this;
    }

    public byte[] bytes() {
        var out = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.forEach(e -> e.accept(tar));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(TarArchiveOutputStream tar, TarArchiveEntry entry, byte[] content) {
        try {
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
