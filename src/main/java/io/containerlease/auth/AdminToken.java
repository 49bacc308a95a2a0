package io.containerlease.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Without AUTH_TOKENS_FILE, the first start creates an admin token in DATA_DIR (readable by its
 * owner only) and the server prints, once, how to use it, as Jupyter does.
 */
public final class AdminToken {
    static final String FILE = "admin-token";

    /** @param created true when this call made the token (print it), false when it already existed */
    public record Loaded(String token, Path file, boolean created) {}

    private AdminToken() {}

    public static Loaded loadOrCreate(Path dataDir, SecureRandom random) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (Files.exists(file)) {
            return new Loaded(Files.readString(file, StandardCharsets.UTF_8).trim(), file, false);
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.createDirectories(dataDir);
        try {
            // Created with its final mode, so the token is never readable by others, not even for a moment.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(Set.of(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
        } catch (FileAlreadyExistsException raced) {
            return loadOrCreate(dataDir, random);
        }
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        return new Loaded(token, file, true);
    }
}
