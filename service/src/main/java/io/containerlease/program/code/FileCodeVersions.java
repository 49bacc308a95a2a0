package io.containerlease.program.code;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerlease.lease.LeaseId;
import io.containerlease.program.LeaseDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The code versions of each lease, kept on this server's disk under {@code DATA_DIR/code/{lease}}:
 * each version's archive ({@code N.tar.gz}) and a list of them all ({@code versions.json}). Only
 * one update runs per lease at a time ({@link #claim}), so the files need no locking.
 */
public final class FileCodeVersions extends CodeVersions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LeaseDirectories directories;
    private final Set<LeaseId> claimed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public FileCodeVersions(Path dataDir) {
        this.directories = new LeaseDirectories(dataDir.resolve("code"));
    }

    @Override
    public boolean claim(LeaseId id) {
        return claimed.add(id);
    }

    @Override
    public void unclaim(LeaseId id) {
        claimed.remove(id);
    }

    @Override
    public List<Version> list(LeaseId id) {
        Path file = dir(id).resolve("versions.json");
        try {
            return JSON.readValue(file.toFile(), new TypeReference<List<Version>>() {});
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the code versions of lease " + id, e);
        }
    }

    @Override
    protected void keepArchive(LeaseId id, int number, byte[] tarGz) {
        try {
            directories.create(id);
            Path tmp = dir(id).resolve(number + ".tar.gz.tmp");
            Files.write(tmp, tarGz);
            Files.move(tmp, archivePath(id, number), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep code version " + number + " of lease " + id, e);
        }
    }

    @Override
    protected void dropArchives(LeaseId id, List<Integer> numbers) {
        numbers.forEach(number -> deleteQuietly(archivePath(id, number)));
    }

    @Override
    public Optional<byte[]> archive(LeaseId id, int number) {
        try {
            return Optional.of(Files.readAllBytes(archivePath(id, number)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read code version " + number + " of lease " + id, e);
        }
    }

    @Override
    public Set<LeaseId> present() {
        return directories.present();
    }

    @Override
    public void remove(LeaseId id) {
        directories.remove(id);
        claimed.remove(id);
    }

    @Override
    protected void save(LeaseId id, List<Version> all) {
        try {
            Path tmp = dir(id).resolve("versions.json.tmp");
            JSON.writeValue(tmp.toFile(), all);
            Files.move(
                    tmp,
                    dir(id).resolve("versions.json"),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the code versions of lease " + id, e);
        }
    }

    private Path dir(LeaseId id) {
        return directories.directory(id);
    }

    private Path archivePath(LeaseId id, int number) {
        return dir(id).resolve(number + ".tar.gz");
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // an archive left over costs disk until the lease ends, nothing more
        }
    }
}
