package io.containerlease.api;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseService;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.LeaseEndedException;
import io.containerlease.session.LogLine;
import io.containerlease.session.LogStreams;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code WS /ws/logs/{id}}: one JSON text frame per log line ({@code {seq, timestamp, level, message}}),
 * from {@code ?tail=N} lines back, or resuming {@code ?after=SEQ}, or everything held; with
 * {@code ?batch=true} a frame is an array of the lines that were waiting together (a fast log then
 * costs a frame per batch, not per line); with {@code ?follow=false} the socket closes (1000) once the
 * reader has the lines that were held when it connected, as {@code docker logs} without {@code -f}.
 */
final class LogSocket {
    /** What its connections count as, in /healthz. */
    private static final String KIND = "logs";

    static final int QUEUED_LINES = 1000;
    /** What a reader's socket queue may hold before its pump waits (characters); the lease's buffer holds the rest. */
    static final long QUEUED_CHARS = 1L << 20;

    private static final String STATE = "containerlease.log";

    private final LeaseService leases;
    private final LeaseConnections connections;
    private final LogStreams logs;
    private final LiveConnections limits;

    LogSocket(LeaseService leases, LeaseConnections connections, LogStreams logs, LiveConnections limits) {
        this.limits = limits;
        this.leases = leases;
        this.connections = connections;
        this.logs = logs;
    }

    /** @param registration empty for a one-shot read, which does not count as a connection to the lease */
    private record Connected(
            WsOutbox outbox,
            Optional<LeaseConnections.Registration> registration,
            LogStreams.Subscription subscription,
            LogPump pump) {}

    void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        // Jetty does not always follow a network error with a close: both end the connection, idempotently.
        ws.onClose(this::disconnect);
        ws.onError(this::disconnect);
    }

    private void connect(WsContext ctx) {
        Lease lease = WsLeases.running(ctx, leases).orElse(null);
        if (lease == null || !limits.admit(ctx, java.util.Optional.of(lease.id()), KIND)) {
            return;
        }
        LogStreams.Start start;
        boolean batch;
        boolean follow;
        try {
            start = start(ctx);
            batch = QueryNumbers.flag("batch", ctx.queryParam("batch"));
            follow = QueryNumbers.flag("follow", ctx.queryParam("follow"), true);
        } catch (ApiException e) {
            WsLeases.refuse(ctx, WsLeases.CLOSE_BAD_REQUEST, e.code(), e.getMessage());
            return;
        }
        WsOutbox outbox = new WsOutbox(ctx.session, QUEUED_LINES, QUEUED_CHARS);
        // A one-shot read (follow=false, as `logs` without -f) is not someone staying with the lease:
        // it neither holds off the disconnect grace nor, when it closes, starts it.
        Optional<LeaseConnections.Registration> registration = Optional.empty();
        if (follow) {
            registration = connections.open(lease, outbox);
            if (registration.isEmpty()) {
                return; // the lease ended meanwhile; the outbox is sending why, then closing
            }
        }
        try {
            LogPump pump = new LogPump(outbox, batch, follow);
            var subscription = logs.subscribe(lease.id(), start, pump);
            pump.start(subscription);
            ctx.attribute(STATE, new Connected(outbox, registration, subscription, pump));
            ctx.enableAutomaticPings(20, TimeUnit.SECONDS);
        } catch (LeaseEndedException ended) {
            if (registration.isPresent()) {
                registration.get().leaseEnded(ended.reason());
            } else {
                outbox.sendControl(
                        Map.of("type", "ended", "reason", ended.reason().wireName()));
                outbox.close(1000, "lease ended: " + ended.reason().wireName());
            }
        } catch (RuntimeException e) {
            registration.ifPresent(LeaseConnections.Registration::close);
            outbox.stop();
            WsLeases.refuse(
                    ctx, WsLeases.CLOSE_UNAVAILABLE, "docker_unavailable", "cannot follow the container's log now");
        }
    }

    private void disconnect(WsContext ctx) {
        limits.release(ctx);
        Connected c = ctx.attribute(STATE);
        if (c != null) {
            c.subscription().cancel();
            c.pump().stop();
            c.registration().ifPresent(LeaseConnections.Registration::close);
            c.outbox().stop();
        }
    }

    private static LogStreams.Start start(WsContext ctx) {
        if (ctx.queryParam("after") != null && ctx.queryParam("tail") != null) {
            throw ApiException.badRequest("invalid_query", "give 'tail' or 'after', not both");
        }
        if (ctx.queryParam("after") != null) {
            return new LogStreams.Start.After(WsLeases.number(ctx, "after", 0, 0, Long.MAX_VALUE));
        }
        if (ctx.queryParam("tail") != null) {
            return new LogStreams.Start.Tail((int) WsLeases.number(ctx, "tail", 0, 0, 1_000_000));
        }
        return new LogStreams.Start.Everything();
    }

    /**
     * {@code {"seq":…,"timestamp":"…","level":"…","message":"…"}}, written directly: a line is the
     * hottest object on this path, and a map through the object mapper cost more than the rest of it.
     */
    static String json(LogLine line) {
        return json(line, new StringBuilder(96 + line.message().length())).toString();
    }

    /** Appends the line's JSON object to {@code out}; returns it. */
    static StringBuilder json(LogLine line, StringBuilder out) {
        out.append("{\"seq\":").append(line.seq()).append(",\"timestamp\":\"");
        InstantText.append(line.timestamp(), out).append("\",\"level\":\"");
        QUOTE.quoteAsString(line.level(), out);
        out.append("\",\"message\":\"");
        QUOTE.quoteAsString(line.message(), out);
        return out.append("\"}");
    }

    private static final com.fasterxml.jackson.core.io.JsonStringEncoder QUOTE =
            com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance();
}
