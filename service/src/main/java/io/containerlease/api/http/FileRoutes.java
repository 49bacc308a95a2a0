package io.containerlease.api.http;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.containers.ContainerStates;
import io.containerlease.containers.ContainerStatus;
import io.containerlease.files.Download;
import io.containerlease.files.FileEntry;
import io.containerlease.files.LeaseFiles;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseConflictException;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.session.SessionView;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files in and out of a lease's running container: {@code GET …/files?path=} downloads (a
 * directory as a tar), {@code PUT …/files?path=} uploads ({@code &extract=true} unpacks a tar),
 * {@code GET …/files/list?path=} lists, {@code DELETE …/files?path=} removes,
 * {@code POST …/files/directories?path=} makes a directory. Each counts as activity for the idle
 * rule. A download is always an attachment of an opaque type, never shown on the console's origin:
 * a tenant's HTML must not run beside the console's token.
 */
public final class FileRoutes {
    private static final Logger log = LoggerFactory.getLogger(FileRoutes.class);
    private static final Set<String> TAR = Set.of("application/x-tar", "application/tar");
    private static final Set<String> GZIP = Set.of("application/gzip", "application/x-gzip");

    private final LeaseService leases;
    private final ContainerStates containers;
    private final LeaseFiles files;
    private final SessionView sessions;

    public FileRoutes(LeaseService leases, ContainerStates containers, LeaseFiles files, SessionView sessions) {
        this.leases = leases;
        this.containers = containers;
        this.files = files;
        this.sessions = sessions;
    }

    public void list(Context ctx) {
        Lease lease = runningLease(ctx);
        LeaseFiles.Listing listing = files.list(container(lease), ctx.queryParam("path"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", listing.path());
        out.put("type", listing.itself().typeName());
        out.put("entries", listing.entries().stream().map(FileRoutes::json).toList());
        out.put("truncated", listing.truncated());
        ctx.json(out);
    }

    public void download(Context ctx) {
        Lease lease = runningLease(ctx);
        boolean archive = flag(ctx, "archive");
        try (Download download = files.download(container(lease), ctx.queryParam("path"), archive)) {
            String name = download.name() + (download.archive() ? ".tar" : "");
            ctx.status(200);
            ctx.header("Content-Type", download.archive() ? "application/x-tar" : "application/octet-stream");
            ctx.header("Content-Disposition", attachment(name));
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.header("Content-Security-Policy", "sandbox; default-src 'none'");
            ctx.header("Cache-Control", "no-store");
            download.length().ifPresent(length -> ctx.res().setContentLengthLong(length));
            try {
                download.writeTo(ctx.res().getOutputStream());
                ctx.res().getOutputStream().flush();
            } catch (IOException e) {
                // The client went away, or the container's side broke mid-way: the response is cut off, so the
                // client sees an incomplete body (never a complete-looking wrong one).
                log.info("a download was cut off: {}", e.getMessage());
                abort(ctx, e);
            }
        }
    }

    public void upload(Context ctx) {
        ctx.attribute(LeaseRoutes.ACTION, "files_upload");
        Lease lease = runningLease(ctx);
        String path = ctx.queryParam("path");
        long declared = ctx.req().getContentLengthLong();
        if (declared > files.maxBytes() && !flag(ctx, "extract")) {
            throw new ApiException(
                    413,
                    "payload_too_large",
                    "one transfer carries at most " + files.maxBytes() + " bytes (FILES_MAX_BYTES)");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        try (InputStream body = ctx.req().getInputStream()) {
            if (flag(ctx, "extract")) {
                String type = mediaType(ctx);
                if (!TAR.contains(type) && !GZIP.contains(type)) {
                    throw new ApiException(
                            415,
                            "unsupported_media_type",
                            "send a tar with Content-Type: application/x-tar (or a .tar.gz as application/gzip)");
                }
                int entries = files.extract(container(lease), path, body, GZIP.contains(type));
                out.put("path", path);
                out.put("entries", entries);
                ctx.attribute(LeaseRoutes.SUMMARY, entries + " entries unpacked into " + path);
            } else {
                long bytes = files.upload(container(lease), path, body);
                out.put("path", path);
                out.put("bytes", bytes);
                ctx.attribute(LeaseRoutes.SUMMARY, bytes + " bytes written to " + path);
            }
        } catch (IOException e) {
            throw ApiException.badRequest("bad_request", "the upload could not be read");
        }
        ctx.status(201).json(out);
    }

    public void remove(Context ctx) {
        ctx.attribute(LeaseRoutes.ACTION, "files_remove");
        Lease lease = runningLease(ctx);
        String path = ctx.queryParam("path");
        files.remove(container(lease), path);
        ctx.attribute(LeaseRoutes.SUMMARY, "removed " + path);
        ctx.status(204);
    }

    public void makeDirectory(Context ctx) {
        ctx.attribute(LeaseRoutes.ACTION, "files_mkdir");
        Lease lease = runningLease(ctx);
        String path = ctx.queryParam("path");
        files.makeDirectory(container(lease), path);
        ctx.attribute(LeaseRoutes.SUMMARY, "made " + path);
        ctx.status(201).json(Map.of("path", path));
    }

    /** The caller's lease, running in a running container; using its files is activity. */
    private Lease runningLease(Context ctx) {
        Lease lease = leases.get(LeaseRoutes.pathId(ctx), RequestGuard.caller(ctx));
        ctx.attribute(LeaseRoutes.LEASE, lease.id().value());
        if (lease.state() != LeaseState.RUNNING) {
            throw new LeaseConflictException(
                    "lease_not_running", "the lease is " + lease.state().wireName());
        }
        ContainerStatus status = containers.status(lease.id()).orElse(null);
        if (status != null && status.state() != ContainerStatus.State.RUNNING) {
            throw new LeaseConflictException(
                    "container_not_running",
                    "the container is " + status.state().wireName() + "; files move only while it runs");
        }
        sessions.touch(lease.id());
        return lease;
    }

    private static String container(Lease lease) {
        return ManagedLabels.containerName(lease.id());
    }

    private static Map<String, Object> json(FileEntry entry) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", entry.path());
        out.put("type", entry.typeName());
        out.put("size", entry.size());
        out.put("mode", String.format("%04o", entry.mode()));
        out.put("modified", entry.modified().toString());
        entry.linkTarget().ifPresent(target -> out.put("linkTarget", target));
        return out;
    }

    private static boolean flag(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true") || value.isEmpty()) {
            return true;
        }
        throw ApiException.badRequest("invalid_query", "'" + name + "' is true or false");
    }

    private static String mediaType(Context ctx) {
        return ctx.contentType() == null
                ? ""
                : ctx.contentType().split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }

    /** {@code attachment; filename="…"; filename*=UTF-8''…}: a plain fallback and the exact name (RFC 6266). */
    static String attachment(String name) {
        String plain = name.replaceAll("[^A-Za-z0-9._ -]", "_");
        String exact = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + plain + "\"; filename*=UTF-8''" + exact;
    }

    /**
     * Ends the connection without finishing the response (no last chunk, fewer bytes than its length):
     * a download broken mid-way must never look complete to the client.
     */
    private static void abort(Context ctx, IOException cause) {
        org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(ctx.req())
                .getServletChannel()
                .abort(cause);
    }
}
