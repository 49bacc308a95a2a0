package io.containerlease.api.support;

import io.containerlease.files.FileException;
import io.containerlease.lease.ImageUnavailableException;
import io.containerlease.lease.InvalidRequestException;
import io.containerlease.lease.LeaseConflictException;
import io.containerlease.lease.LeaseNotFoundException;
import io.containerlease.lease.QuotaExceededException;
import io.containerlease.lease.Redactor;
import io.containerlease.lease.RemovalPendingException;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.lease.StoreException;
import io.containerlease.program.ProgramException;
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
public final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    /** The error message sent, for the activity log to read after the request. */
    public static final String MESSAGE = "containerlease.error.message";

    private final Redactor redactor;

    public ErrorResponses(Redactor redactor) {
        this.redactor = redactor;
    }

    /** Every failure of a route becomes its error answer. */
    public void registerOn(RoutesConfig routes) {
        io.javalin.http.ExceptionHandler<Exception> answer = (e, ctx) -> {
            Failure failure = describe(e, ctx.method() + " " + ctx.path());
            if (failure.status() == 503 && ctx.res().getHeader("Retry-After") == null) {
                ctx.header("Retry-After", "5");
            }
            send(ctx, failure);
        };
        routes.exception(Exception.class, answer);
        // Javalin answers its own (405, say) by itself unless their class has a handler of its own.
        routes.exception(HttpResponseException.class, answer::handle);
        // Javalin's own 404 and 405 (no such route, wrong method) get the same shape as ours.
        routes.error(
                404, "*", ctx -> fillIfEmpty(ctx, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
        routes.error(
                405,
                "*",
                ctx -> fillIfEmpty(ctx, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()));
    }

    /**
     * A failure as a client is told it: the status, the code and a message without internals, and
     * for some codes more fields a client can act on (how long a channel has been down, say).
     */
    public record Failure(int status, String code, String message, Map<String, Object> details) {
        Failure(int status, String code, String message) {
            this(status, code, message, Map.of());
        }

        /** {@code {error: {code, message, category, retryable, …details}}} */
        public Map<String, Object> body() {
            Map<String, Object> body = ErrorKinds.body(status, code, message);
            if (!details.isEmpty()) {
                @SuppressWarnings("unchecked")
                var error = (Map<String, Object>) body.get("error");
                error.putAll(details);
            }
            return body;
        }
    }

    /**
     * How a failure is answered, over HTTP and Socket.IO alike. The engine's own detail (registries,
     * resolver addresses, exception classes) is logged, never sent; every message passes the redactor.
     */
    public Failure describe(Exception e, String during) {
        Failure failure = switch (e) {
            case ApiException x -> new Failure(x.status(), x.code(), x.getMessage());
            case InvalidRequestException x -> new Failure(400, x.code(), x.getMessage());
            case LeaseNotFoundException x -> new Failure(404, "lease_not_found", x.getMessage());
            case LeaseConflictException x -> new Failure(409, x.code(), x.getMessage());
            case ProgramException x -> new Failure(status(x.kind()), x.code(), x.getMessage(), x.details());
            case FileException x -> new Failure(status(x.kind()), x.code(), x.getMessage());
            case QuotaExceededException x -> new Failure(429, x.code(), x.getMessage());
            case ImageUnavailableException x -> {
                log.warn("image unavailable: {}", redactor.scrub(x.getMessage()));
                yield new Failure(502, "image_unavailable", x.clientMessage());
            }
            case RuntimeOperationException x -> {
                log.warn("the container engine refused: {}", redactor.scrub(x.getMessage()));
                yield new Failure(502, "docker_error", x.clientMessage());
            }
            case RuntimeUnavailableException x ->
                new Failure(503, "docker_unavailable", "the container engine is not reachable; try again shortly");
            case RemovalPendingException x -> new Failure(503, "removal_pending", x.getMessage());
            case StoreException x -> {
                // Once per refused request while the store is down: the cause in one line, the stack at debug.
                log.warn("lease store failed: {}", x.getMessage());
                log.debug("lease store failure", x);
                yield new Failure(503, "store_unavailable", "the lease store is not answering");
            }
            case HttpResponseException x -> new Failure(x.getStatus(), codeFor(x.getStatus()), x.getMessage());
            default -> {
                log.error("unexpected failure during {}", during, e);
                yield new Failure(500, "internal_error", "an unexpected error occurred; it has been logged");
            }
        };
        return new Failure(
                failure.status(),
                failure.code(),
                redactor.scrub(failure.message() == null ? failure.code() : failure.message()),
                failure.details());
    }

    private static int status(FileException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> 404;
            case INVALID -> 400;
            case CONFLICT -> 409;
            case FORBIDDEN -> 403;
            case TOO_LARGE -> 413;
            case BUSY -> 429;
            case NO_SPACE -> 507;
            case FAILED -> 502;
        };
    }

    private static int status(ProgramException.Kind kind) {
        return switch (kind) {
            case NOT_ENABLED, NOT_CONNECTED, IN_PROGRESS, GONE -> 409;
            case TIMEOUT -> 504;
            case BUSY -> 429;
            case TOO_LARGE -> 413;
            case INVALID -> 400;
            case NOT_FOUND -> 404;
        };
    }

    /** Every message passes the redactor: a secret in an engine's error text never reaches the client. */
    public void send(Context ctx, int status, String code, String message) {
        send(ctx, new Failure(status, code, redactor.scrub(message == null ? code : message)));
    }

    private void send(Context ctx, Failure failure) {
        ctx.attribute(MESSAGE, failure.code() + ": " + failure.message());
        ctx.status(failure.status()).json(failure.body());
    }

    private void fillIfEmpty(Context ctx, String code, String message) {
        String current = ctx.result();
        if (current == null || current.isEmpty()) {
            send(ctx, ctx.statusCode(), code, message);
        }
    }

    /** The code for an answer made from a bare status, by Javalin or by Jetty before any route ran. */
    public static String codeFor(int status) {
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
