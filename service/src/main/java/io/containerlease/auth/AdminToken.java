package io.containerlease.auth;

import io.containerlease.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

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
        String token = TokenRegistry.newToken(random);
        if (!write(dataDir, token, false)) {
            return new Loaded(read(file), file, false); // a server that raced us and won keeps its token
        }
        return new Loaded(token, file, true);
    }

    /**
     * Replaces the admin token with a new one (a running server takes it within seconds, see
     * {@link ReloadingTokens}); the old one stops working.
     */
    public static Loaded rotate(Path dataDir, SecureRandom random) throws IOException {
        String token = TokenRegistry.newToken(random);
        write(dataDir, token, true);
        return new Loaded(token, dataDir.resolve(FILE), true);
    }

    /** The users of a server without a tokens file: one admin, whose token {@code file} holds. */
    public static TokenRegistry registry(Path file) {
        try {
            return TokenRegistry.admin(read(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read the admin token in " + file + ": " + e.getMessage());
        }
    }

    /** Writes the token whole or not at all (see {@link AtomicFiles}); false when it may not replace a token already there. */
    private static boolean write(Path dataDir, String token, boolean replace) throws IOException {
        return AtomicFiles.write(
                dataDir.resolve(FILE),
                (token + "\n").getBytes(StandardCharsets.UTF_8),
                AtomicFiles.OWNER_ONLY,
                replace);
    }

    private static String read(Path file) throws IOException {
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.length() < TokenRegistry.MIN_TOKEN_LENGTH) {
            throw new ConfigException(
                    "the admin token in " + file + " is shorter than " + TokenRegistry.MIN_TOKEN_LENGTH
                            + " characters (a crash while it was written?); delete the file to have a new one created");
        }
        return token;
    }
}
