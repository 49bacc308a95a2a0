package io.containerlease.api;

import io.containerlease.lease.InvalidRequestException;
import io.containerlease.lease.LeaseConflictException;
import io.containerlease.lease.LeaseNotFoundException;
import io.containerlease.lease.QuotaExceededException;
import io.containerlease.lease.Redactor;
import io.containerlease.lease.RemovalPendingException;
import io.containerlease.lease.ImageUnavailableException;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.lease.StoreException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure becomes {@code {error: {code, message}}} with its status, here and nowhere else.
 * A client's mistake is a 4xx; 5xx is kept for the engine or the store failing, and for bugs.
 */
final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    /** The error message sent, for the activity log to read after the request. */
    static final String MESSAGE = "containerlease.error.message";

    private final Redactor redactor;

    private ErrorResponses(Redactor redactor) {
        this.redactor = redactor;
    }

    static void register(RoutesConfig routes, Redactor redactor) {
        new ErrorResponses(redactor).registerOn(routes);
    }

    private void registerOn(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> send(ctx, e.status(), e.code(), e.getMessage()));
        routes.exception(InvalidRequestException.class, (e, ctx) -> send(ctx, 400, e.code(), e.getMessage()));
        routes.exception(LeaseNotFoundException.class, (e, ctx) -> send(ctx, 404, "lease_not_found", e.getMessage()));
        routes.exception(LeaseConflictException.class, (e, ctx) -> send(ctx, 409, e.code(), e.getMessage()));
        routes.exception(QuotaExceededException.class, (e, ctx) -> send(ctx, 429, e.code(), e.getMessage()));
        // The engine's own detail (registries, resolver addresses, exception classes) is logged, never sent.
        routes.exception(ImageUnavailableException.class, (e, ctx) -> {
            log.warn("image unavailable: {}", redactor.scrub(e.getMessage()));
            send(ctx, 502, "image_unavailable", e.clientMessage());
        });
        routes.exception(RuntimeOperationException.class, (e, ctx) -> {
            log.warn("Docker refused: {}", redactor.scrub(e.getMessage()));
            send(ctx, 502, "docker_error", e.clientMessage());
        });
        routes.exception(RuntimeUnavailableException.class, (e, ctx) -> {
            ctx.header("Retry-After", "5");
            send(ctx, 503, "docker_unavailable", "the Docker engine is not reachable; try again shortly");
        });
        routes.exception(RemovalPendingException.class, (e, ctx) -> {
            ctx.header("Retry-After", "5");
            send(ctx, 503, "removal_pending", e.getMessage());
        });
        routes.exception(StoreException.class, (e, ctx) -> {
            log.error("lease store failed", e);
            send(ctx, 503, "store_unavailable", "the lease store is not answering");
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> send(ctx, e.getStatus(), codeFor(e.getStatus()), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            send(ctx, 500, "internal_error", "an unexpected error occurred; it has been logged");
        });
        // Javalin's own 404 and 405 (no such route, wrong method) get the same shape as ours.
        routes.error(404, "*", ctx -> fillIfEmpty(ctx, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
        routes.error(405, "*", ctx -> fillIfEmpty(ctx, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
    }

    /** Every message passes the redactor: a secret in an engine's error text never reaches the client. */
    void send(Context ctx, int status, String code, String message) {
        String safe = redactor.scrub(message == null ? code : message);
        ctx.attribute(MESSAGE, code + ": " + safe);
        ctx.status(status).json(ErrorKinds.body(status, code, safe));
    }

    private void fillIfEmpty(Context ctx, String code, String message) {
        String current = ctx.result();
        if (current == null || current.isEmpty()) {
            send(ctx, ctx.statusCode(), code, message);
        }
    }

    /** The code for an answer made from a bare status, by Javalin or by Jetty before any route ran. */
    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 414 -> "uri_too_long";
            case 431 -> "headers_too_large";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "request_error";
        };
    }
}
