package io.containerlease.api.http;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.JsonBody;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseConflictException;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.containerlease.preview.PreviewLinks;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/containers/{id}/previews {port, path?}}: a link that opens the web app on
 * {@code port} inside the lease's container in a browser, on an origin of its own (see
 * {@link io.containerlease.preview.PreviewGateway}). The link works for a minute; the cookie it sets,
 * for that preview alone, until the lease ends.
 */
public final class PreviewRoutes {
    private final LeaseService leases;
    private final Optional<PreviewLinks> links;

    public PreviewRoutes(LeaseService leases, Optional<PreviewLinks> links) {
        this.leases = leases;
        this.links = links;
    }

    public void create(Context ctx) {
        Lease lease = leases.get(LeaseRoutes.pathId(ctx), RequestGuard.caller(ctx));
        var body = JsonBody.read(ctx).allowOnly(Set.of("port", "path"));
        int port = body.wholeNumber("port", 1, 65535)
                .orElseThrow(() ->
                        ApiException.badRequest("missing_field", "'port' is required: the port inside the container"))
                .intValue();
        String path = body.string("path", 2048).orElse("/");
        if (!path.startsWith("/") || path.startsWith("//") || path.length() > 2048) {
            throw ApiException.badRequest("invalid_field", "'path' is a path on the app, starting with one '/'");
        }
        PreviewLinks issuer = links.orElseThrow(
                () -> new LeaseConflictException("previews_off", "this server serves no previews (PREVIEW_PORT=off)"));
        if (lease.state() != LeaseState.RUNNING) {
            throw new LeaseConflictException(
                    "lease_not_running", "the lease is " + lease.state().wireName());
        }
        PreviewLinks.Link link = issuer.issue(
                lease,
                port,
                RequestGuard.caller(ctx),
                RequestGuard.credential(ctx).tokenSha256(),
                path);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("port", link.port());
        out.put("url", link.url());
        out.put("origin", link.origin());
        out.put("expiresAt", link.expiresAt().toString());
        ctx.status(201).json(out);
    }
}
