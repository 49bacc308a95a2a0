package io.containerlease.auth;

import io.containerlease.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Without AUTH_TOKENS_FILE, the first start creates an admin token in DATA_DIR (readable by its
 * owner only) and the server prints, once, how to use it, as Jupyter does.
 *
 * <p>The file appears whole or not at all: the token is written to a temporary file created with
 * mode 0600, forced to disk, then moved into place atomically, so a crash can never leave an empty
 * or partial token behind. A token file that holds less than a token is refused, never used.
 */
public final class AdminToken {
    static final String FILE = "admin-token";

    /** @param created true when this call made the token (print it), false when it already existed */
    public record Loaded(String token, Path file, boolean created) {}

    private AdminToken() {}

    /**
     * @throws ConfigException when the file exists but does not hold a usable token
     */
    public static Loaded loadOrCreate(Path dataDir, SecureRandom random) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            return new Loaded(read(file), file, false);
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.createDirectories(dataDir);
        Path temp = Files.createTempFile(dataDir, FILE + ".", ".tmp", PosixFilePermissions.asFileAttribute(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            try {
                // Not REPLACE_EXISTING: a server that raced us and won keeps its token.
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.createLink(file, temp);
            }
        } catch (FileAlreadyExistsException raced) {
            return new Loaded(read(file), file, false);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dataDir);
        return new Loaded(token, file, true);
    }

    private static String read(Path file) throws IOException {
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.length() < TokenRegistry.MIN_TOKEN_LENGTH) {
            throw new ConfigException("the admin token in " + file + " is shorter than " + TokenRegistry.MIN_TOKEN_LENGTH
                    + " characters (a crash while it was written?); delete the file to have a new one created");
        }
        return token;
    }

    /** Makes the file's new name durable too; best effort where a directory cannot be opened. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every file system lets a directory be synced; the rename is still atomic
        }
    }
}
