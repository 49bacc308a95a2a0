package io.containerlease.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This server's own id among the servers of one store, kept in its data directory: a server that
 * restarts within its heartbeat's life is the same server and carries on with its leases at once;
 * one that stays down longer has them taken over by the others.
 */
public final class InstanceIds {
    private static final String FILE = "instance-id";

    private InstanceIds() {}

    public static String load(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file).trim();
                if (id.matches("[a-z0-9-]{8,64}")) {
                    return id;
                }
            }
            Files.createDirectories(dataDir);
            String id = "server-" + UUID.randomUUID().toString().substring(0, 13);
            Files.writeString(file, id + "\n");
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep this server's id in " + file, e);
        }
    }
}
