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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The code versions of each lease, kept on the host under {@code DATA_DIR/code/{lease}}: each
 * version's archive ({@code N.tar.gz}) and a list of them all ({@code versions.json}). The
 * archives of the last {@link #KEPT} versions are kept for rollbacks; older ones are deleted but
 * stay listed. Only one update runs per lease at a time (the caller sees to it), so no locking here.
 */
public final class CodeVersions {
    public static final int KEPT = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One version as listed. {@code status}: installing, active, superseded, or failed (it was
     * installed and rolled back); {@code origin}: upload, image (what the image held at first) or
     * rollback:N; {@code at}: ISO-8601.
     */
    public record Version(int version, String at, String sha256, long bytes, String status, boolean kept, String origin) {
        Version with(String newStatus) {
            return new Version(version, at, sha256, bytes, newStatus, kept, origin);
        }
    }

    private final LeaseDirectories directories;

    public CodeVersions(Path dataDir) {
        this.directories = new LeaseDirectories(dataDir.resolve("code"));
    }

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

    public Optional<Version> active(LeaseId id) {
        return list(id).stream().filter(v -> v.status().equals("active")).findFirst();
    }

    /** Stores a new version's archive; it is listed as {@code installing} until its outcome is set. */
    public Version add(LeaseId id, byte[] tarGz, String sha256, Instant at, String origin) {
        List<Version> all = new ArrayList<>(list(id));
        int number = all.stream().mapToInt(Version::version).max().orElse(0) + 1;
        Version version = new Version(number, at.toString(), sha256, tarGz.length, "installing", true, origin);
        try {
            directories.create(id);
            Path tmp = dir(id).resolve(number + ".tar.gz.tmp");
            Files.write(tmp, tarGz);
            Files.move(tmp, archivePath(id, number), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep code version " + number + " of lease " + id, e);
        }
        all.add(version);
        save(id, all);
        return version;
    }

    /**
     * Records how an install ended: {@code number} gets {@code status}; when it became active, the
     * version active before it is superseded, and archives beyond the last {@link #KEPT} go.
     */
    public void setStatus(LeaseId id, int number, String status) {
        List<Version> all = new ArrayList<>();
        for (Version v : list(id)) {
            if (v.version() == number) {
                all.add(v.with(status));
            } else if (status.equals("active") && v.status().equals("active")) {
                all.add(v.with("superseded"));
            } else {
                all.add(v);
            }
        }
        all.sort(Comparator.comparingInt(Version::version));
        List<Version> trimmed = new ArrayList<>();
        int keep = KEPT;
        for (int i = all.size() - 1; i >= 0; i--) {
            Version v = all.get(i);
            boolean kept = v.kept() && (keep > 0 || v.status().equals("active"));
            if (kept) {
                keep--;
            } else if (v.kept()) {
                deleteQuietly(archivePath(id, v.version()));
            }
            trimmed.add(0, new Version(v.version(), v.at(), v.sha256(), v.bytes(), v.status(), kept, v.origin()));
        }
        save(id, trimmed);
    }

    public Optional<byte[]> archive(LeaseId id, int number) {
        try {
            return Optional.of(Files.readAllBytes(archivePath(id, number)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read code version " + number + " of lease " + id, e);
        }
    }

    public Set<LeaseId> present() {
        return directories.present();
    }

    public void remove(LeaseId id) {
        directories.remove(id);
    }

    private void save(LeaseId id, List<Version> all) {
        try {
            Path tmp = dir(id).resolve("versions.json.tmp");
            JSON.writeValue(tmp.toFile(), all);
            Files.move(tmp, dir(id).resolve("versions.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
