package io.containerlease;

import io.containerlease.auth.AtomicFiles;
import io.containerlease.config.PreviewChoice;
import io.containerlease.preview.PreviewAddress;
import io.containerlease.preview.PreviewGateway;
import io.containerlease.preview.PreviewLinks;
import io.containerlease.preview.PreviewRelays;
import io.containerlease.preview.PreviewTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Previews (a port inside a lease, opened in a browser): the relays into containers, the preview
 * server on PREVIEW_PORT, and the links the API hands out; nothing when PREVIEW_PORT=off.
 */
record PreviewAssembly(PreviewRelays relays, Optional<PreviewLinks> links, Optional<PreviewGateway> gateway) {
    static final String SECRET_FILE = "preview-secret";

    static PreviewAssembly start(CoreAssembly core, SessionAssembly sessions, Started started) {
        PreviewChoice choice = core.config().previews();
        // Relays carry port-forwards too, with or without the preview server.
        var relays = started.add(new PreviewRelays(core.engine().streams()));
        core.leases().addListener(relays);
        if (!choice.enabled()) {
            return new PreviewAssembly(relays, Optional.empty(), Optional.empty());
        }
        var tokens = new PreviewTokens(key(choice, core.config().dataDir()));
        PreviewGateway gateway;
        try {
            gateway = started.add(new PreviewGateway(
                    core.config().host(),
                    choice.port().get(),
                    tokens,
                    relays,
                    core.leases(),
                    sessions.view(),
                    core.base().clock(),
                    stillValid(core)));
            // The address is known once the port is bound (PREVIEW_PORT=0 takes any free one).
            var address = PreviewAddress.parse(choice.url().orElse("http://*.localhost:" + gateway.port()));
            gateway.start(address);
            io.micrometer.core.instrument.Gauge.builder("containerlease.preview.connections", gateway::openConnections)
                    .description("browser connections to previews open now")
                    .register(core.registry());
            io.micrometer.core.instrument.Gauge.builder("containerlease.preview.relays", relays::open)
                    .description("relays into containers open now (one per previewed lease and port)")
                    .register(core.registry());
            return new PreviewAssembly(
                    relays,
                    Optional.of(new PreviewLinks(address, tokens, core.base().clock())),
                    Optional.of(gateway));
        } catch (IOException e) {
            throw new StartupException(
                    "Cannot serve previews on PREVIEW_PORT=" + choice.port().get() + " (" + e.getMessage()
                            + "). Choose another port, or PREVIEW_PORT=off.",
                    e);
        }
    }

    /** Whether the token a preview was asked with still names its caller (always, without tokens: AUTH=off). */
    private static java.util.function.BiPredicate<io.containerlease.lease.Caller, String> stillValid(
            CoreAssembly core) {
        Optional<io.containerlease.auth.Authenticator> tokens =
                core.backing().users().tokens().map(io.containerlease.auth.Authenticator.class::cast);
        return (caller, tokenSha256) -> tokens.map(
                        t -> t.stillValid(new io.containerlease.auth.Credential(caller, tokenSha256)))
                .orElse(true);
    }

    /** PREVIEW_SECRET, or a key made once and kept in DATA_DIR (owner-only), 32 bytes either way. */
    private static byte[] key(PreviewChoice choice, Path dataDir) {
        try {
            if (choice.secret().isPresent()) {
                return MessageDigest.getInstance("SHA-256")
                        .digest(choice.secret().get().getBytes(StandardCharsets.UTF_8));
            }
            Path file = dataDir.resolve(SECRET_FILE);
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new java.security.SecureRandom().nextBytes(fresh);
                AtomicFiles.write(
                        file,
                        java.util.HexFormat.of().formatHex(fresh).getBytes(StandardCharsets.US_ASCII),
                        AtomicFiles.OWNER_ONLY,
                        false);
            }
            return java.util.HexFormat.of()
                    .parseHex(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
