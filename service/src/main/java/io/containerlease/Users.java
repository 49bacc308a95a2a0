package io.containerlease;

import io.containerlease.auth.AdminToken;
import io.containerlease.auth.ReloadingTokens;
import io.containerlease.auth.TokenRegistry;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.Redactor;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The users: AUTH_TOKENS_FILE when given; otherwise one admin whose token is created in DATA_DIR on
 * the first start and printed once, with how to use it. Either file is read again when it changes
 * ({@code containerlease token create|revoke|rotate-admin}); plain-text tokens in it are redacted.
 *
 * @param tokens empty when AUTH=off
 * @param admin the admin token made for this data directory (no tokens file)
 * @param createdAdminToken where the admin token was created on this start
 */
record Users(Optional<ReloadingTokens> tokens, Optional<String> admin, Optional<Path> createdAdminToken) {

    static Users load(ServiceConfig config, SecureRandom random, Redactor redactor, Started started) {
        if (config.auth() == ServiceConfig.AuthMode.OFF) {
            return new Users(Optional.empty(), Optional.empty(), Optional.empty());
        }
        Consumer<TokenRegistry> redact = registry -> redactor.register(registry.plaintextTokens());
        if (config.authTokensFile().isPresent()) {
            var tokens = new ReloadingTokens(config.authTokensFile().get(), TokenRegistry::load, redact);
            return new Users(Optional.of(started.add(tokens)), Optional.empty(), Optional.empty());
        }
        try {
            AdminToken.Loaded admin = AdminToken.loadOrCreate(config.dataDir(), random);
            var tokens = started.add(new ReloadingTokens(admin.file(), AdminToken::registry, redact));
            return new Users(
                    Optional.of(tokens),
                    Optional.of(admin.token()),
                    admin.created() ? Optional.of(admin.file().toAbsolutePath().normalize()) : Optional.empty());
        } catch (IOException e) {
            throw new StartupException("cannot create the admin token in DATA_DIR: " + e.getMessage(), e);
        }
    }

    /** Never the admin token: a record would print it, and this one may end up in a log line or a stack trace. */
    @Override
    public String toString() {
        return "Users[tokens=" + tokens.isPresent() + ", admin=" + (admin.isPresent() ? "<redacted>" : "none")
                + ", createdAdminToken=" + createdAdminToken.map(Path::toString).orElse("none") + "]";
    }

    /** Shown once, on the first start without a tokens file: the new admin token and how to use it. */
    Optional<String> firstStartNotice(String browsableUrl) {
        return createdAdminToken.map(
                file -> "An admin token was created in " + file + " (mode 0600).\n"
                        + "Open the web console, signed in:\n"
                        + "    " + signInUrl(browsableUrl).orElseThrow() + "\n"
                        + "or use the API:\n"
                        + "    curl -H 'Authorization: Bearer " + admin.orElseThrow() + "' " + browsableUrl
                        + "/api/containers\n"
                        + "It stays in that file; later starts print the sign-in address only to a terminal. See the README to add users.");
    }

    /**
     * The console's address with the admin token in its fragment, which a browser never sends to a
     * server or a proxy; empty when users come from a tokens file (each has their own token).
     */
    Optional<String> signInUrl(String browsableUrl) {
        return admin.map(token -> browsableUrl + "/#token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }
}
