package io.containerlease.api;

import com.sun.management.UnixOperatingSystemMXBean;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseId;
import io.javalin.websocket.WsContext;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * How many WebSockets may be open: per user, per lease and in all, the total kept well below the
 * process's file-descriptor limit (every socket, shell and followed log holds one). A connection
 * over a cap is refused with {@code {type: "error", code: "too_many_connections"}} and close code
 * 4429; its slot is given back when it closes, however it closes.
 */
final class WsLimits {
    static final int CLOSE_TOO_MANY = 4429;
    private static final String PERMIT = "containerlease.ws-permit";
    /** Descriptors kept for everything that is not a client's socket: the store, the engine, logs, shells, files. */
    private static final long RESERVED_DESCRIPTORS = 512;

    private final int perUser;
    private final int perLease;
    private final int total;
    private final Map<String, Integer> byUser = new HashMap<>();
    private final Map<LeaseId, Integer> byLease = new HashMap<>();
    private int open;

    WsLimits(ServiceConfig.ConnectionLimits limits, OptionalLong maxDescriptors) {
        this.perUser = limits.perUser();
        this.perLease = limits.perLease();
        // Each client socket may come with a docker stream of its own: half of what is left is theirs.
        long ceiling = maxDescriptors.isPresent() ? Math.max(16, (maxDescriptors.getAsLong() - RESERVED_DESCRIPTORS) / 2) : 10_000;
        this.total = (int) (limits.total() > 0 ? Math.min(limits.total(), ceiling) : Math.min(10_000, ceiling));
    }

    /** The process's own limit on open files, where the platform tells. */
    static OptionalLong maxDescriptors() {
        return descriptors(UnixOperatingSystemMXBean::getMaxFileDescriptorCount);
    }

    static OptionalLong openDescriptors() {
        return descriptors(UnixOperatingSystemMXBean::getOpenFileDescriptorCount);
    }

    private static OptionalLong descriptors(java.util.function.ToLongFunction<UnixOperatingSystemMXBean> read) {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? OptionalLong.of(read.applyAsLong(unix)) : OptionalLong.empty();
    }

    /**
     * Takes a slot for this connection, or refuses it (error frame and close 4429) and returns false.
     * The slot is kept on the connection; {@link #release} gives it back.
     */
    boolean admit(WsContext ctx, String user, LeaseId lease) {
        String refusal;
        synchronized (this) {
            if (open >= total) {
                refusal = "the service has its most WebSocket connections open (" + total + "); try again shortly";
            } else if (byUser.getOrDefault(user, 0) >= perUser) {
                refusal = user + " already has " + perUser + " WebSocket connections open (WS_MAX_PER_USER); close one first";
            } else if (byLease.getOrDefault(lease, 0) >= perLease) {
                refusal = "lease " + lease.value() + " already has " + perLease + " WebSocket connections open (WS_MAX_PER_LEASE)";
            } else {
                open++;
                byUser.merge(user, 1, Integer::sum);
                byLease.merge(lease, 1, Integer::sum);
                ctx.attribute(PERMIT, new Permit(user, lease, new java.util.concurrent.atomic.AtomicBoolean()));
                return true;
            }
        }
        WsLeases.refuse(ctx, CLOSE_TOO_MANY, "too_many_connections", refusal);
        return false;
    }

    /** Gives the connection's slot back. Idempotent; a connection that never got one gives nothing back. */
    void release(WsContext ctx) {
        Permit permit = ctx.attribute(PERMIT);
        if (permit == null || !permit.released().compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            open--;
            byUser.computeIfPresent(permit.user(), (u, n) -> n > 1 ? n - 1 : null);
            byLease.computeIfPresent(permit.lease(), (l, n) -> n > 1 ? n - 1 : null);
        }
    }

    synchronized int open() {
        return open;
    }

    int total() {
        return total;
    }

    private record Permit(String user, LeaseId lease, java.util.concurrent.atomic.AtomicBoolean released) {}
}
