package io.containerlease.api.access;

import com.sun.management.UnixOperatingSystemMXBean;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.auth.Credential;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.javalin.websocket.WsContext;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Every long-lived connection of a client (the WebSockets of every endpoint, Server-Sent Events
 * streams, Socket.IO sockets): how many may be open, per user ({@code WS_MAX_PER_USER}), per lease
 * ({@code WS_MAX_PER_LEASE}) and in all ({@code WS_MAX_TOTAL}, kept well below the process's
 * file-descriptor limit: every socket, shell and followed log holds one); and who opened each with
 * which token, so that revoking a token ends its connections. A connection over a cap is refused
 * ({@code too_many_connections}: close 4429 on a WebSocket, 429 on HTTP); its slot is given back when
 * it closes, however it closes.
 */
public final class LiveConnections {
    public static final int CLOSE_TOO_MANY = 4429;
    /** A WebSocket whose token was revoked (or given to another user or role) is closed with this. */
    public static final int CLOSE_REVOKED = 4401;

    private static final String PERMIT = "containerlease.connection-permit";
    /** Descriptors kept for everything that is not a client's socket: the store, the engine, logs, shells, files. */
    private static final long RESERVED_DESCRIPTORS = 512;

    private final int perUser;
    private final int perLease;
    private final int total;
    private final Map<String, Integer> byUser = new HashMap<>();
    private final Map<LeaseId, Integer> byLease = new HashMap<>();
    private final Map<String, Integer> byKind = new TreeMap<>();
    private final Set<Permit> permits = ConcurrentHashMap.newKeySet();
    private int open;

    /** Refused: over one of the caps, with a message that says which. */
    public static final class TooMany extends RuntimeException {
        TooMany(String message) {
            super(message, null, false, false);
        }
    }

    /** One connection's slot. */
    public final class Permit {
        private final Credential credential;
        private final Optional<LeaseId> lease;
        private final String kind;
        private final Consumer<String> revoke;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(Credential credential, Optional<LeaseId> lease, String kind, Consumer<String> revoke) {
            this.credential = credential;
            this.lease = lease;
            this.kind = kind;
            this.revoke = revoke;
        }

        /** Gives the slot back. Idempotent. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                permits.remove(this);
                synchronized (LiveConnections.this) {
                    open--;
                    byUser.computeIfPresent(credential.caller().user(), (u, n) -> n > 1 ? n - 1 : null);
                    lease.ifPresent(l -> byLease.computeIfPresent(l, (k, n) -> n > 1 ? n - 1 : null));
                    byKind.computeIfPresent(kind, (k, n) -> n > 1 ? n - 1 : null);
                }
            }
        }

        /** Whether this connection was ended by a revocation (or released): commands on it are refused. */
        public boolean ended() {
            return released.get();
        }
    }

    public LiveConnections(ServiceConfig.ConnectionLimits limits, OptionalLong maxDescriptors) {
        this.perUser = limits.perUser();
        this.perLease = limits.perLease();
        // Each client socket may come with a docker stream of its own: half of what is left is theirs.
        long ceiling = maxDescriptors.isPresent()
                ? Math.max(16, (maxDescriptors.getAsLong() - RESERVED_DESCRIPTORS) / 2)
                : 10_000;
        this.total = (int) (limits.total() > 0 ? Math.min(limits.total(), ceiling) : Math.min(10_000, ceiling));
    }

    /** The process's own limit on open files, where the platform tells. */
    public static OptionalLong maxDescriptors() {
        return descriptors(UnixOperatingSystemMXBean::getMaxFileDescriptorCount);
    }

    public static OptionalLong openDescriptors() {
        return descriptors(UnixOperatingSystemMXBean::getOpenFileDescriptorCount);
    }

    private static OptionalLong descriptors(java.util.function.ToLongFunction<UnixOperatingSystemMXBean> read) {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? OptionalLong.of(read.applyAsLong(unix))
                : OptionalLong.empty();
    }

    /**
     * Takes a slot for a connection of {@code kind} ({@code terminal}, {@code events-sse}, …).
     * {@code revoke} ends the connection, saying why, when its token stops being valid.
     *
     * @throws TooMany when a cap is reached
     */
    public Permit take(Credential credential, Optional<LeaseId> lease, String kind, Consumer<String> revoke) {
        String user = credential.caller().user();
        Permit permit;
        synchronized (this) {
            if (open >= total) {
                throw new TooMany("the service has its most connections open (" + total + "); try again shortly");
            } else if (byUser.getOrDefault(user, 0) >= perUser) {
                throw new TooMany(
                        user + " already has " + perUser + " connections open (WS_MAX_PER_USER counts WebSockets, "
                                + "event streams and Socket.IO); close one first");
            } else if (lease.isPresent() && byLease.getOrDefault(lease.get(), 0) >= perLease) {
                throw new TooMany("lease " + lease.get().value() + " already has " + perLease
                        + " connections open (WS_MAX_PER_LEASE)");
            }
            open++;
            byUser.merge(user, 1, Integer::sum);
            lease.ifPresent(l -> byLease.merge(l, 1, Integer::sum));
            byKind.merge(kind, 1, Integer::sum);
            permit = new Permit(credential, lease, kind, revoke);
        }
        permits.add(permit);
        return permit;
    }

    /**
     * Takes a slot for a WebSocket, from the credential its upgrade was authenticated with, or refuses
     * it (error frame and close 4429) and returns false. The slot is kept on the connection;
     * {@link #release} gives it back.
     */
    public boolean admit(WsContext ctx, Optional<LeaseId> lease, String kind) {
        try {
            ctx.attribute(
                    PERMIT,
                    take(
                            ctx.attribute(RequestGuard.CREDENTIAL),
                            lease,
                            kind,
                            reason -> WsRefusal.refuse(ctx, CLOSE_REVOKED, "token_revoked", reason)));
            return true;
        } catch (TooMany e) {
            WsRefusal.refuse(ctx, CLOSE_TOO_MANY, "too_many_connections", e.getMessage());
            return false;
        }
    }

    /** Gives the WebSocket's slot back. Idempotent; a connection that never got one gives nothing back. */
    public void release(WsContext ctx) {
        Permit permit = ctx.attribute(PERMIT);
        if (permit != null) {
            permit.release();
        }
    }

    /**
     * Ends every connection whose credential {@code valid} no longer accepts, telling each why, and
     * gives their slots back. Called when the users change.
     *
     * @return how many were ended
     */
    public int endWhere(Predicate<Credential> valid) {
        int ended = 0;
        for (Permit permit : permits) {
            if (!valid.test(permit.credential) && !permit.ended()) {
                permit.release();
                try {
                    permit.revoke.accept(
                            "the token of " + permit.credential.caller().user() + " was revoked or changed");
                } catch (RuntimeException e) {
                    // the connection was going anyway
                }
                ended++;
            }
        }
        return ended;
    }

    public synchronized int open() {
        return open;
    }

    /** Open connections by kind, for /healthz. */
    public synchronized Map<String, Integer> openByKind() {
        return new TreeMap<>(byKind);
    }

    public int total() {
        return total;
    }
}
