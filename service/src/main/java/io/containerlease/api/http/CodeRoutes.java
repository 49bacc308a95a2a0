package io.containerlease.api.http;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.JsonBody;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseService;
import io.containerlease.program.code.CodeUpdates;
import io.containerlease.program.code.CodeVersions;
import io.containerlease.session.SessionView;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code PUT /api/containers/{id}/code} installs a new version of the lease's code from a
 * {@code .tar.gz} body, {@code GET …/code} lists the versions, {@code POST …/code/rollback}
 * installs a kept one again. Each answers once the version is active or has been rolled back.
 */
public final class CodeRoutes {
    private static final Set<String> GZIP = Set.of("application/gzip", "application/x-gzip");

    private final LeaseService leases;
    private final CodeUpdates updates;
    private final SessionView sessions;

    public CodeRoutes(LeaseService leases, CodeUpdates updates, SessionView sessions) {
        this.leases = leases;
        this.updates = updates;
        this.sessions = sessions;
    }

    public void update(Context ctx) {
        ctx.attribute(LeaseRoutes.ACTION, "code_update");
        Lease lease = leases.get(LeaseRoutes.pathId(ctx), RequestGuard.caller(ctx));
        ctx.attribute(LeaseRoutes.LEASE, lease.id().value());
        ctx.json(outcome(ctx, lease, updates.update(lease, archive(ctx))));
    }

    /** Same rules over Socket.IO, where the archive arrives as a binary attachment. */
    public Map<String, Object> update(Lease lease, byte[] tarGz) {
        if (tarGz.length > updates.maxBytes()) {
            throw tooLarge();
        }
        return outcomeJson(updates.update(lease, tarGz));
    }

    public void rollback(Context ctx) {
        ctx.attribute(LeaseRoutes.ACTION, "code_rollback");
        Lease lease = leases.get(LeaseRoutes.pathId(ctx), RequestGuard.caller(ctx));
        ctx.attribute(LeaseRoutes.LEASE, lease.id().value());
        long version = JsonBody.read(ctx)
                .allowOnly(Set.of("version"))
                .wholeNumber("version", 1, Integer.MAX_VALUE)
                .orElseThrow(() -> ApiException.badRequest(
                        "missing_field", "'version' is required: the version to install again"));
        ctx.json(outcome(ctx, lease, updates.rollback(lease, (int) version)));
    }

    public void list(Context ctx) {
        Lease lease = leases.get(LeaseRoutes.pathId(ctx), RequestGuard.caller(ctx));
        List<CodeVersions.Version> versions = updates.versions(lease);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                "active",
                versions.stream()
                        .filter(v -> v.status().equals("active"))
                        .map(CodeVersions.Version::version)
                        .findFirst()
                        .orElse(null));
        out.put("versions", versions);
        ctx.json(out);
    }

    private Map<String, Object> outcome(Context ctx, Lease lease, CodeUpdates.Outcome outcome) {
        sessions.touch(lease.id());
        ctx.attribute(LeaseRoutes.WORK_FAILED, !outcome.status().equals("active"));
        ctx.attribute(
                LeaseRoutes.SUMMARY,
                "version " + outcome.version() + " " + outcome.status().replace('_', ' ')
                        + outcome.reason().map(r -> ": " + r).orElse(""));
        return outcomeJson(outcome);
    }

    public static Map<String, Object> outcomeJson(CodeUpdates.Outcome outcome) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", outcome.version());
        out.put("status", outcome.status());
        outcome.reason().ifPresent(r -> out.put("reason", r));
        return out;
    }

    private byte[] archive(Context ctx) {
        String type = ctx.contentType() == null
                ? ""
                : ctx.contentType().split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!GZIP.contains(type)) {
            throw new ApiException(
                    415, "unsupported_media_type", "send the code as a .tar.gz with Content-Type: application/gzip");
        }
        if (ctx.req().getContentLengthLong() > updates.maxBytes()) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, updates.maxBytes() + 1));
            if (bytes.length > updates.maxBytes()) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest("bad_request", "the archive could not be read");
        }
    }

    private ApiException tooLarge() {
        return new ApiException(
                413, "payload_too_large", "the archive exceeds " + updates.maxBytes() / 1024 + " KiB (CODE_MAX_BYTES)");
    }
}
