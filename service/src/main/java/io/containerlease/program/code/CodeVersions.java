package io.containerlease.program.code;

import io.containerlease.lease.LeaseId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The code versions of each lease: each version's archive and a list of them all. The archives of
 * the last {@link #KEPT} versions are kept for rollbacks; older ones are deleted but stay listed.
 * One server alone keeps them on its disk ({@link FileCodeVersions}); servers sharing a store keep
 * them in it, so that any of them can update, list and roll back any lease's code, even after the
 * server that made the lease died. The numbering and the keeping rule are here, once; a keeper
 * only stores lists and archives.
 */
public abstract class CodeVersions {
    public static final int KEPT = 3;

    /**
     * One version as listed. {@code status}: installing, active, superseded, or failed (it was
     * installed and rolled back); {@code origin}: upload, image (what the image held at first) or
     * rollback:N; {@code at}: ISO-8601.
     */
    public record Version(
            int version, String at, String sha256, long bytes, String status, boolean kept, String origin) {
        Version with(String newStatus) {
            return new Version(version, at, sha256, bytes, newStatus, kept, origin);
        }
    }

    /**
     * Makes this caller the only one changing the lease's versions (on any server) until
     * {@link #unclaim}; false when another update holds them.
     */
    public abstract boolean claim(LeaseId id);

    public abstract void unclaim(LeaseId id);

    public abstract List<Version> list(LeaseId id);

    public abstract Optional<byte[]> archive(LeaseId id, int number);

    /** The leases that have versions kept now. */
    public abstract Set<LeaseId> present();

    public abstract void remove(LeaseId id);

    /** Stores version {@code number}'s archive (before it is listed). */
    protected abstract void keepArchive(LeaseId id, int number, byte[] tarGz);

    /** Deletes archives no longer kept; one left behind costs space until the lease ends, nothing more. */
    protected abstract void dropArchives(LeaseId id, List<Integer> numbers);

    /** Replaces the lease's list. */
    protected abstract void save(LeaseId id, List<Version> all);

    public Optional<Version> active(LeaseId id) {
        return list(id).stream().filter(v -> v.status().equals("active")).findFirst();
    }

    /** Stores a new version's archive; it is listed as {@code installing} until its outcome is set. */
    public final Version add(LeaseId id, byte[] tarGz, String sha256, Instant at, String origin) {
        List<Version> all = new ArrayList<>(list(id));
        int number = all.stream().mapToInt(Version::version).max().orElse(0) + 1;
        keepArchive(id, number, tarGz);
        Version version = new Version(number, at.toString(), sha256, tarGz.length, "installing", true, origin);
        all.add(version);
        save(id, all);
        return version;
    }

    /**
     * Records how an install ended: {@code number} gets {@code status}; when it became active, the
     * version active before it is superseded, and archives beyond the last {@link #KEPT} go.
     */
    public final void setStatus(LeaseId id, int number, String status) {
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
        List<Integer> dropped = new ArrayList<>();
        int keep = KEPT;
        for (int i = all.size() - 1; i >= 0; i--) {
            Version v = all.get(i);
            boolean kept = v.kept() && (keep > 0 || v.status().equals("active"));
            if (kept) {
                keep--;
            } else if (v.kept()) {
                dropped.add(v.version());
            }
            trimmed.add(0, new Version(v.version(), v.at(), v.sha256(), v.bytes(), v.status(), kept, v.origin()));
        }
        save(id, trimmed);
        if (!dropped.isEmpty()) {
            dropArchives(id, dropped);
        }
    }
}
