package io.containerlease.auth;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users of a running server, from the file that names them (AUTH_TOKENS_FILE, or the admin
 * token in DATA_DIR), read again whenever the file changes: a token created, revoked or rotated
 * works, or stops working, within seconds, without a restart. A changed file that does not parse
 * is logged and ignored: the users from before stay until it is mended.
 */
public final class ReloadingTokens implements Authenticator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReloadingTokens.class);
    public static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private final Path file;
    private final Function<Path, TokenRegistry> loader;
    private final Consumer<TokenRegistry> loaded;
    private volatile TokenRegistry current;
    private Stamp stamp;
    private final Thread watcher;
    private final java.util.List<Runnable> reloaded = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What tells one version of the file from the next: a rename puts a new inode in place. */
    private record Stamp(Object fileKey, long modifiedNanos, long size) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(
                    a.fileKey(),
                    a.lastModifiedTime().toInstant().getEpochSecond() * 1_000_000_000L
                            + a.lastModifiedTime().toInstant().getNano(),
                    a.size());
        }
    }

    /**
     * Reads the file now (a bad one fails the start with a {@link ConfigException}) and then every
     * {@link #CHECK_EVERY} while the file has changed.
     *
     * @param loaded told of every registry read, the first included (to redact the plain-text tokens it holds)
     */
    public ReloadingTokens(Path file, Function<Path, TokenRegistry> loader, Consumer<TokenRegistry> loaded) {
        this.file = file;
        this.loader = loader;
        this.loaded = loaded;
        this.stamp = stampOrNull();
        this.current = loader.apply(file);
        loaded.accept(current);
        this.watcher =
                Thread.ofPlatform().daemon(true).name("containerlease-tokens").start(this::watch);
    }

    @Override
    public Optional<Credential> credential(String token) {
        return current.credential(token);
    }

    @Override
    public boolean stillValid(Credential credential) {
        return current.stillValid(credential);
    }

    /** {@code listener} runs (on the watcher's thread) after every change of users took effect. */
    @Override
    public void onChange(Runnable listener) {
        reloaded.add(listener);
    }

    /** Reads the file again if it changed since it was last read; true when new users took effect. */
    synchronized boolean reloadIfChanged() {
        Stamp now = stampOrNull();
        if (now == null || Objects.equals(now, stamp)) {
            return false; // gone for a moment (being replaced), or unchanged
        }
        stamp = now;
        try {
            TokenRegistry next = loader.apply(file);
            loaded.accept(next);
            current = next;
            log.info(
                    "users reloaded {} {}",
                    kv("file", file.toString()),
                    kv("tokens", next.entries().size()));
            for (Runnable listener : reloaded) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.warn(
                            "a listener to the users' reload failed {}",
                            kv("error", String.valueOf(e.getMessage())),
                            e);
                }
            }
            return true;
        } catch (ConfigException e) {
            log.error(
                    "the changed users file is not used, the users from before stay {} {}",
                    kv("file", file.toString()),
                    kv("error", e.getMessage()));
            return false;
        }
    }

    private Stamp stampOrNull() {
        try {
            return Stamp.of(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.warn("cannot look at the users file {} {}", kv("file", file.toString()), kv("error", e.toString()));
            return null;
        }
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(CHECK_EVERY);
            } catch (InterruptedException e) {
                return;
            }
            reloadIfChanged();
        }
    }

    @Override
    public void close() {
        watcher.interrupt();
    }
}
