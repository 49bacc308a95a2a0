package io.containerlease.preview;

import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Links to a lease's port, for whoever may see the lease: good for {@link #LIFETIME}, opened once in
 * a browser, where the preview server trades the link for a cookie of that preview's origin alone.
 */
public final class PreviewLinks {
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    /** A link and when it stops working. */
    public record Link(int port, String url, String origin, Instant expiresAt) {}

    private final PreviewAddress address;
    private final PreviewTokens tokens;
    private final InstantSource clock;

    public PreviewLinks(PreviewAddress address, PreviewTokens tokens, InstantSource clock) {
        this.address = address;
        this.tokens = tokens;
        this.clock = clock;
    }

    /**
     * A link to {@code port} of {@code lease} (which the caller may see), opening {@code path} (a path
     * on the app); it, and the cookie it sets, stop working when the token it was asked with is revoked.
     */
    public Link issue(Lease lease, int port, Caller caller, String tokenSha256, String path) {
        Instant expires = clock.instant().plus(LIFETIME);
        String token = tokens.sign(
                new PreviewTokens.Grant(PreviewTokens.Kind.LINK, lease.id(), port, caller, tokenSha256, expires));
        String origin = address.origin(lease.id(), port);
        String url = origin + PreviewGateway.AUTH_PATH + "?token=" + token
                + (path.equals("/") ? "" : "&next=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
        return new Link(port, url, origin, expires);
    }
}
