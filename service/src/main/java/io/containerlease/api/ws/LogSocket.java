package io.containerlease.api.ws;

import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.InstantText;
import io.containerlease.api.support.QueryNumbers;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.lease.Lease;
import io.containerlease.session.LeaseEndedException;
import io.containerlease.session.LogLine;
import io.containerlease.session.LogStreams;
import io.javalin.websocket.WsContext;
import java.util.Optional;

/**
 * {@code WS /ws/logs/{id}}: one JSON text frame per log line ({@code {seq, timestamp, level, message}}),
 * from {@code ?tail=N} lines back, or resuming {@code ?after=SEQ}, or everything held; with
 * {@code ?batch=true} a frame is an array of the lines that were waiting together (a fast log then
 * costs a frame per batch, not per line); with {@code ?follow=false} the socket closes (1000) once the
 * reader has the lines that were held when it connected, as {@code docker logs} without {@code -f}.
 */
public final class LogSocket implements LeaseSocket.Endpoint {
    public static final int QUEUED_LINES = 1000;
    /** What a reader's socket queue may hold before its pump waits (characters); the lease's buffer holds the rest. */
    public static final long QUEUED_CHARS = 1L << 20;

    public static final LeaseSocket.Bounds BOUNDS = new LeaseSocket.Bounds(QUEUED_LINES, QUEUED_CHARS);

    private final LogStreams logs;

    public LogSocket(LogStreams logs) {
        this.logs = logs;
    }

    @Override
    public Optional<LeaseSocket.Connection> open(WsContext ctx, Lease lease, WsOutbox outbox)
            throws LeaseSocket.Refusal {
        LogStreams.Start start;
        boolean batch;
        boolean follow;
        try {
            start = start(ctx);
            batch = QueryNumbers.flag("batch", ctx.queryParam("batch"));
            follow = QueryNumbers.flag("follow", ctx.queryParam("follow"), true);
        } catch (ApiException e) {
            throw LeaseSocket.Refusal.badRequest(e);
        }
        LogPump pump = new LogPump(outbox, batch, follow);
        LogStreams.Subscription subscription;
        try {
            subscription = logs.subscribe(lease.id(), start, pump);
        } catch (LeaseEndedException ended) {
            throw LeaseSocket.Refusal.leaseEnded(ended.reason());
        } catch (RuntimeException e) {
            throw new LeaseSocket.Refusal(
                    WsRefusal.CLOSE_UNAVAILABLE, "docker_unavailable", "cannot follow the container's log now");
        }
        pump.start(subscription);
        return Optional.of(new LeaseSocket.Connection() {
            /**
             * A one-shot read (follow=false, as `logs` without -f) is not someone staying with the lease:
             * it neither holds off the disconnect grace nor, when it closes, starts it.
             */
            @Override
            public boolean holdsLease() {
                return follow;
            }

            @Override
            public void close() {
                subscription.cancel();
                pump.stop();
            }
        });
    }

    private static LogStreams.Start start(WsContext ctx) {
        if (ctx.queryParam("after") != null && ctx.queryParam("tail") != null) {
            throw ApiException.badRequest("invalid_query", "give 'tail' or 'after', not both");
        }
        if (ctx.queryParam("after") != null) {
            return new LogStreams.Start.After(LeaseSocket.number(ctx, "after", 0, 0, Long.MAX_VALUE));
        }
        if (ctx.queryParam("tail") != null) {
            return new LogStreams.Start.Tail((int) LeaseSocket.number(ctx, "tail", 0, 0, 1_000_000));
        }
        return new LogStreams.Start.Everything();
    }

    /**
     * {@code {"seq":…,"timestamp":"…","stream":"stdout|stderr","level":"…","message":"…"}} ({@code level}
     * only when the line states one), written directly: a line is the
     * hottest object on this path, and a map through the object mapper cost more than the rest of it.
     */
    public static String json(LogLine line) {
        return json(line, new StringBuilder(96 + line.message().length())).toString();
    }

    /** Appends the line's JSON object to {@code out}; returns it. */
    public static StringBuilder json(LogLine line, StringBuilder out) {
        out.append("{\"seq\":").append(line.seq()).append(",\"timestamp\":\"");
        InstantText.append(line.timestamp(), out).append("\",\"stream\":\"").append(line.stream());
        if (line.level() != null) {
            out.append("\",\"level\":\"").append(line.level());
        }
        out.append("\",\"message\":\"");
        QUOTE.quoteAsString(line.message(), out);
        return out.append("\"}");
    }

    private static final com.fasterxml.jackson.core.io.JsonStringEncoder QUOTE =
            com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance();
}
