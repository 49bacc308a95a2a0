package io.containerlease.cli.client;

import io.containerlease.auth.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the client finds its server and token: {@code CONTAINERLEASE_URL} and
 * {@code CONTAINERLEASE_TOKEN} first, then what {@code login} saved in
 * {@code $XDG_CONFIG_HOME/containerlease/config} (by default {@code ~/.config}), readable by its owner only.
 */
public final class ClientConfig {
    private final Map<String, String> env;

    /** @param env the environment (System.getenv() in the launcher; a map of its own in a test) */
    public ClientConfig(Map<String, String> env) {
        this.env = env;
    }

    public record Saved(String url, String token) {}

    public Path file() {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("containerlease").resolve("config");
    }

    /** The server to talk to; a usage failure when none is known. */
    public String url() {
        return Optional.ofNullable(env.get("CONTAINERLEASE_URL"))
                .filter(u -> !u.isBlank())
                .or(() -> saved().map(Saved::url))
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .orElseThrow(() -> new ClientFailure(
                        ClientFailure.USAGE,
                        null,
                        "no server: run 'containerlease login URL' or set CONTAINERLEASE_URL"));
    }

    /** The token to send, if any (a server with AUTH=off needs none). */
    public Optional<String> token() {
        return Optional.ofNullable(env.get("CONTAINERLEASE_TOKEN"))
                .filter(t -> !t.isBlank())
                .or(() -> saved().map(Saved::token).filter(t -> !t.isBlank()));
    }

    public Optional<Saved> saved() {
        Path file = file();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.ofNullable(p.getProperty("url")).map(url -> new Saved(url, p.getProperty("token", "")));
    }

    /** Saves the server and token, the file readable and writable by its owner only (it holds a secret). */
    public void save(Saved saved) {
        Properties p = new Properties();
        p.setProperty("url", saved.url());
        p.setProperty("token", saved.token());
        try {
            StringWriter text = new StringWriter();
            p.store(text, "containerlease login");
            AtomicFiles.write(file(), text.toString().getBytes(StandardCharsets.UTF_8), AtomicFiles.OWNER_ONLY, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets what login saved; false when nothing was saved. */
    public boolean forget() {
        try {
            return Files.deleteIfExists(file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
