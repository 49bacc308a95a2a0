package io.containerlease.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema changes, applied in order inside one transaction each. The schema version is
 * SQLite's own {@code PRAGMA user_version}, so no bookkeeping table is needed. Add a migration by
 * appending a file name here; never edit one that has shipped.
 */
final class Migrations {
    static final List<String> FILES = List.of(
            "V1__create_leases.sql",
            "V2__session_rules.sql",
            "V3__owners_and_activity.sql",
            "V4__retention.sql",
            "V5__session_marks.sql");

    private Migrations() {}

    static void apply(Connection connection) throws SQLException {
        int current = userVersion(connection);
        if (current > FILES.size()) {
            throw new SQLException("the database has schema version " + current + " but this build knows only "
                    + FILES.size() + "; refusing to run an older build on it");
        }
        for (int version = current + 1; version <= FILES.size(); version++) {
            String sql = read(FILES.get(version - 1));
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (String part : sql.split(";\\s*(\\n|$)")) {
                    if (!part.isBlank()) {
                        statement.execute(part);
                    }
                }
                statement.execute("PRAGMA user_version = " + version);
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw new SQLException("migration " + FILES.get(version - 1) + " failed: " + e.getMessage(), e);
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static int userVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                var rs = statement.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration resource missing: " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + file, e);
        }
    }
}
