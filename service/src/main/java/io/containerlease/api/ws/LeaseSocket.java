package io.containerlease.api.ws;

import io.containerlease.api.access.LiveConnections;
import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.QueryNumbers;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.containers.ContainerStates;
import io.containerlease.containers.ContainerStatus;
import io.containerlease.lease.Caller;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseNotFoundException;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.containerlease.session.LeaseConnections;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The shape every lease WebSocket endpoint shares (terminal, logs, exec, channel): admission (the
 * running lease the path names, within the caller's connection limits), a bounded outbox, the
 * endpoint's own start, the lease connection that holds off the lease's disconnect grace, pings,
 * the endpoint's messages, and one idempotent disconnect. Each endpoint supplies only what is its
 * own: how it opens, what it does with a message, what its close releases.
 */
public final class LeaseSocket {
    /** Pings find dead peers, and keep a quiet connection (a shell nobody types in) from the idle timeout. */
    private static final long PING_SECONDS = 20;

    private static final String STATE = "containerlease.lease-socket";

    /** One endpoint's own part of the shape. */
    @FunctionalInterface
    public interface Endpoint {
        /**
         * Starts what this endpoint does for a connection to {@code lease}, sending through {@code outbox}.
         *
         * @return what the connection keeps until it ends; empty when the outbox already holds all the
         *     connection will get and closes it
         * @throws Refusal when the connection is turned away, with nothing started
         */
        Optional<Connection> open(WsContext ctx, Lease lease, WsOutbox outbox) throws Refusal;
    }

    /**
     * An outbox's bounds, frames queued and their bytes (characters for text): a client too slow for
     * them is closed, not buffered for.
     */
    public record Bounds(int frames, long bytes) {
        /** A program's output as bytes (a shell's, a command's): many small frames, 2 MiB at most. */
        public static final Bounds PROGRAM_OUTPUT = new Bounds(10_000, 2L * 1024 * 1024);
    }

    /** What an open connection keeps: its messages, and what its end releases. */
    public interface Connection {
        /** Whether it counts as someone staying with the lease (and so holds off its disconnect grace). */
        default boolean holdsLease() {
            return true;
        }

        default void text(WsMessageContext ctx) {}

        default void binary(WsBinaryMessageContext ctx) {}

        /** Releases what the connection held; called once, when it ends however it ends. */
        void close();
    }

    /** A connection turned away before it started: the client is told why, with a 44xx close code mirroring HTTP. */
    public static final class Refusal extends Exception {
        private final int closeCode;
        private final String code;
        /** Set when the lease ended as the connection arrived: that is told as an ending, not as an error. */
        private final EndReason ended;

        Refusal(int closeCode, String code, String message) {
            this(closeCode, code, message, null);
        }

        private Refusal(int closeCode, String code, String message, EndReason ended) {
            super(message, null, false, false);
            this.closeCode = closeCode;
            this.code = code;
            this.ended = ended;
        }

        static Refusal badRequest(ApiException e) {
            return new Refusal(WsRefusal.CLOSE_BAD_REQUEST, e.code(), e.getMessage());
        }

        static Refusal leaseEnded(EndReason reason) {
            return new Refusal(1000, "lease_ended", "lease ended", reason);
        }

        static Refusal engineUnavailable() {
            return new Refusal(
                    WsRefusal.CLOSE_UNAVAILABLE,
                    "docker_unavailable",
                    "the container engine is not reachable; try again shortly");
        }

        void sendTo(WsContext ctx) {
            if (ended != null) {
                WsRefusal.ended(ctx, ended);
            } else {
                WsRefusal.refuse(ctx, closeCode, code, getMessage());
            }
        }
    }

    private record Connected(
            Connection connection,
            Optional<LeaseConnections.Registration> registration,
            WsOutbox outbox,
            AtomicBoolean closed) {}

    private final LeaseService leases;
    private final LeaseConnections connections;
    private final LiveConnections limits;

    public LeaseSocket(LeaseService leases, LeaseConnections connections, LiveConnections limits) {
        this.leases = leases;
        this.connections = connections;
        this.limits = limits;
    }

    /**
     * What a WebSocket route serving {@code endpoint} is configured with.
     *
     * @param kind what its connections count as, in /healthz and the per-user limits
     */
    public Consumer<WsConfig> serving(String kind, Bounds bounds, Endpoint endpoint) {
        return ws -> configure(ws, kind, bounds, endpoint);
    }

    private void configure(WsConfig ws, String kind, Bounds bounds, Endpoint endpoint) {
        ws.onConnect(ctx -> connect(ctx, kind, bounds, endpoint));
        ws.onMessage(ctx -> {
            Connected c = ctx.attribute(STATE);
            if (c != null) {
                c.connection().text(ctx);
            }
        });
        ws.onBinaryMessage(ctx -> {
            Connected c = ctx.attribute(STATE);
            if (c != null) {
                c.connection().binary(ctx);
            }
        });
        // Jetty does not always follow a network error with a close: both end the connection, once.
        ws.onClose(this::disconnect);
        ws.onError(this::disconnect);
    }

    private void connect(WsContext ctx, String kind, Bounds bounds, Endpoint endpoint) {
        Lease lease = running(ctx).orElse(null);
        if (lease == null || !limits.admit(ctx, Optional.of(lease.id()), kind)) {
            return;
        }
        WsOutbox outbox = new WsOutbox(ctx.session, bounds.frames(), bounds.bytes());
        Optional<Connection> opened;
        try {
            opened = endpoint.open(ctx, lease, outbox);
        } catch (Refusal refusal) {
            outbox.stop();
            refusal.sendTo(ctx);
            return;
        }
        if (opened.isEmpty()) {
            return;
        }
        Connection connection = opened.get();
        Optional<LeaseConnections.Registration> registration = Optional.empty();
        if (connection.holdsLease()) {
            registration = connections.open(lease, outbox);
            if (registration.isEmpty()) {
                connection.close(); // the lease ended meanwhile; the outbox is sending why, then closing
                return;
            }
        }
        ctx.attribute(STATE, new Connected(connection, registration, outbox, new AtomicBoolean()));
        ctx.enableAutomaticPings(PING_SECONDS, TimeUnit.SECONDS);
    }

    private void disconnect(WsContext ctx) {
        limits.release(ctx);
        Connected c = ctx.attribute(STATE);
        if (c != null && c.closed().compareAndSet(false, true)) {
            c.connection().close();
            c.registration().ifPresent(LeaseConnections.Registration::close);
            c.outbox().stop();
        }
    }

    /** The running lease the path names, if the caller may see it; otherwise the socket is refused saying why. */
    private Optional<Lease> running(WsContext ctx) {
        Caller caller = ctx.attribute(RequestGuard.CALLER);
        if (caller == null) {
            WsRefusal.refuse(ctx, 4401, "unauthorized", "not authenticated");
            return Optional.empty();
        }
        String raw = ctx.pathParam("id");
        if (!LeaseId.isValid(raw)) {
            WsRefusal.refuse(ctx, WsRefusal.CLOSE_BAD_REQUEST, "invalid_id", "not a lease id");
            return Optional.empty();
        }
        try {
            Lease lease = leases.get(new LeaseId(raw), caller);
            if (lease.state() != LeaseState.RUNNING) {
                WsRefusal.refuse(
                        ctx,
                        WsRefusal.CLOSE_CONFLICT,
                        "lease_not_running",
                        "lease " + raw + " is " + lease.state().wireName());
                return Optional.empty();
            }
            return Optional.of(lease);
        } catch (LeaseNotFoundException e) {
            WsRefusal.refuse(ctx, WsRefusal.CLOSE_NOT_FOUND, "lease_not_found", e.getMessage());
            return Optional.empty();
        }
    }

    /** Refuses (4409, saying why) when the lease's container cannot run a shell or a command now. */
    public static void requireShells(ContainerStates containers, Lease lease) throws Refusal {
        ContainerStatus container = containers.status(lease.id()).orElse(null);
        if (container != null && !container.acceptsShells()) {
            throw new Refusal(
                    WsRefusal.CLOSE_CONFLICT,
                    "container_not_running",
                    "the container is " + container.state().wireName()
                            + (container.state() == ContainerStatus.State.PAUSED
                                    ? "; unpause it to open a shell"
                                    : "; start it to open a shell"));
        }
    }

    /** A whole-number query parameter within bounds, or the fallback when absent; see {@link QueryNumbers}. */
    public static long number(WsContext ctx, String name, long fallback, long min, long max) {
        return QueryNumbers.parse(name, ctx.queryParam(name), fallback, min, max);
    }
}
