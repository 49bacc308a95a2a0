package io.containerlease.store.sqlite;

import io.containerlease.activity.ActivityEntry;
import io.containerlease.activity.ActivityLog;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link ActivityLog} in the same SQLite file as the leases. */
public final class SqliteActivityLog implements ActivityLog {
    private final SqliteDatabase db;

    SqliteActivityLog(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void record(ActivityEntry e) {
        db.update(
                "INSERT INTO activity (at, user, action, lease_id, client, outcome, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                s -> {
                    s.setLong(1, e.at().toEpochMilli());
                    s.setString(2, e.user());
                    s.setString(3, e.action());
                    s.setString(4, e.leaseId());
                    s.setString(5, e.client());
                    s.setString(6, e.outcome());
                    s.setString(7, e.reason());
                });
    }

    @Override
    public int purgeBefore(java.time.Instant cutoff, int limit) {
        return db.update("DELETE FROM activity WHERE seq IN (SELECT seq FROM activity WHERE at < ? LIMIT ?)", s -> {
            s.setLong(1, cutoff.toEpochMilli());
            s.setInt(2, limit);
        });
    }

    @Override
    public List<ActivityEntry> page(Optional<String> user, Optional<String> leaseId, long beforeSeq, int limit) {
        return db.query(
                "SELECT seq, at, user, action, lease_id, client, outcome, reason FROM activity"
                        + " WHERE (? IS NULL OR user = ?) AND (? IS NULL OR lease_id = ?) AND (? = 0 OR seq < ?)"
                        + " ORDER BY seq DESC LIMIT ?",
                s -> {
                    s.setString(1, user.orElse(null));
                    s.setString(2, user.orElse(null));
                    s.setString(3, leaseId.orElse(null));
                    s.setString(4, leaseId.orElse(null));
                    s.setLong(5, beforeSeq);
                    s.setLong(6, beforeSeq);
                    s.setInt(7, limit);
                },
                rs -> new ActivityEntry(
                        rs.getLong(1),
                        Instant.ofEpochMilli(rs.getLong(2)),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8)));
    }
}
