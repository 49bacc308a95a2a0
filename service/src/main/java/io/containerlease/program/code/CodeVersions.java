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
 * server that made the lease died.
 */
public interface CodeVersions {
    int KEPT = 3;

    /**
     * One version as listed. {@code status}: installing, active, superseded, or failed (it was
     * installed and rolled back); {@code origin}: upload, image (what the image held at first) or
     * rollback:N; {@code at}: ISO-8601.
     */
    record Version(int version, String at, String sha256, long bytes, String status, boolean kept, String origin) {
        Version with(String newStatus) {
            return new Version(version, at, sha256, bytes, newStatus, kept, origin);
        }
    }

    /**
     * Makes this caller the only one changing the lease's versions (on any server) until
     * {@link #unclaim}; false when another update holds them.
     */
    boolean claim(LeaseId id);

    void unclaim(LeaseId id);

    List<Version> list(LeaseId id);

    default Optional<Version> active(LeaseId id) {
        return list(id).stream().filter(v -> v.status().equals("active")).findFirst();
    }

    /** Stores a new version's archive; it is listed as {@code installing} until its outcome is set. */
    Version add(LeaseId id, byte[] tarGz, String sha256, Instant at, String origin);

    /**
     * Records how an install ended: {@code number} gets {@code status}; when it became active, the
     * version active before it is superseded, and archives beyond the last {@link #KEPT} go.
     */
    void setStatus(LeaseId id, int number, String status);

    Optional<byte[]> archive(LeaseId id, int number);

    /** The leases that have versions kept now. */
    Set<LeaseId> present();

    void remove(LeaseId id);

    /** The list after {@code number} got {@code status}, and the versions whose archives are no longer kept. */
    record Listing(List<Version> versions, List<Integer> dropped) {}

    /** How {@link #setStatus} changes a list: the one rule both keepers follow. */
    static Listing withStatus(List<Version> current, int number, String status) {
        List<Version> all = new ArrayList<>();
        for (Version v : current) {
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
        return new Listing(trimmed, dropped);
    }

    /** The number the next version gets. */
    static int next(List<Version> current) {
        return current.stream().mapToInt(Version::version).max().orElse(0) + 1;
    }
}
