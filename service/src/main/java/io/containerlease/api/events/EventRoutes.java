package io.containerlease.api.events;

import io.containerlease.api.access.LiveConnections;
import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.Json;
import io.containerlease.api.support.QueryNumbers;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.api.ws.WsOutbox;
import io.containerlease.events.Event;
import io.containerlease.events.EventFilter;
import io.containerlease.events.EventHub;
import io.containerlease.events.EventSubscription;
import io.containerlease.lease.Caller;
import io.containerlease.lease.LeaseId;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The event channel: {@code GET /api/events} as Server-Sent Events and {@code WS /ws/events}, the
 * same JSON frames on both ({@code {id, at, type, leaseId, user, data}}). Filters: {@code ?user=}
 * (admins), {@code ?leaseId=}, {@code ?types=a,b}. Resume with {@code Last-Event-ID} (SSE) or
 * {@code ?after=ID}; events no longer held arrive as {@code {type: "gap", from, to}}, and events a
 * slow reader lost as {@code {type: "dropped", count}}.
 */
public final class EventRoutes {
    public static final Set<String> TYPES = Set.of(
            "lease.provisioning",
            "lease.running",
            "lease.extended",
            "lease.expiring",
            "lease.ending",
            "lease.ended",
            "container.state",
            "container.health",
            "container.stats",
            "channel.message",
            "channel.connected",
            "channel.disconnected",
            "code.updating",
            "code.active",
            "code.rolled_back",
            "activity");
    /** Events a subscriber may have waiting before its oldest are dropped. */
    public static final int QUEUE = 1000;

    private static final String STATE = "containerlease.events";

    private final EventHub hub;
    private final UsageFeed usageFeed;
    /** Open streams, ended when the server stops (a stopped server's requests cannot be written to). */
    private final Set<EventSubscription> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final LiveConnections connections;

    public EventRoutes(EventHub hub, UsageFeed usageFeed, LiveConnections connections) {
        this.hub = hub;
        this.usageFeed = usageFeed;
        this.connections = connections;
    }

    /** Ends every open stream; for the server's stop. */
    public void closeAll() {
        open.forEach(EventSubscription::close);
        open.clear();
    }

    public void sse(Context ctx) throws Exception {
        EventFilter filter = filter(ctx, RequestGuard.caller(ctx));
        long after = after(ctx.header("Last-Event-ID") != null ? ctx.header("Last-Event-ID") : ctx.queryParam("after"));
        boolean follow = QueryNumbers.flag("follow", ctx.queryParam("follow"), true);
        var statsEvery = usageFeed.interval(ctx.queryParam("stats"), filter);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ApiException(
                    406,
                    "not_acceptable",
                    "GET /api/events is a Server-Sent Events stream: send "
                            + "Accept: text/event-stream (a browser's EventSource does), or use WS /ws/events");
        }
        var client = new java.util.concurrent.CompletableFuture<SseClient>();
        LiveConnections.Permit permit;
        try {
            permit = connections.take(
                    RequestGuard.credential(ctx), Optional.empty(), "events-sse", reason -> revoked(client, reason));
        } catch (LiveConnections.TooMany e) {
            throw new ApiException(429, "too_many_connections", e.getMessage());
        }
        // Subscribed before the headers go out: a client that has the headers misses nothing after them.
        EventSubscription subscription;
        try {
            subscription = stream(client, filter, after, follow);
        } catch (RuntimeException | Error e) {
            permit.release();
            throw e;
        }
        try {
            // Javalin may hand the client over after this returns; the subscription waits for it (see client()).
            new SseHandler(c -> {
                        c.keepAlive();
                        c.onClose(() -> {
                            subscription.close();
                            open.remove(subscription);
                            permit.release();
                        });
                        client.complete(c);
                    })
                    .handle(ctx);
        } catch (Exception | Error e) {
            subscription.close();
            open.remove(subscription);
            permit.release();
            throw e;
        }
        usageFeed.start(subscription, filter, statsEvery);
    }

    /** Tells an event stream whose token was revoked why, and ends it. */
    private static void revoked(java.util.concurrent.CompletableFuture<SseClient> pending, String reason) {
        SseClient client = pending.getNow(null);
        if (client != null) {
            client.sendData(Json.text(Map.of("type", "error", "code", "token_revoked", "message", reason)));
            client.close();
        } else {
            pending.thenAccept(SseClient::close);
        }
    }

    /** The subscription writes to the client once it exists (events published before that wait in its queue). */
    private EventSubscription stream(
            java.util.concurrent.CompletableFuture<SseClient> pending, EventFilter filter, long after, boolean follow) {
        EventSubscription subscription = hub.subscribe(filter, after, QUEUE, new EventSubscription.Sink() {
            @Override
            public void event(Event event) throws Exception {
                send(client(pending), frame(event), Long.toString(event.id()));
            }

            @Override
            public void gap(long from, long to) throws Exception {
                send(client(pending), Json.text(Map.of("type", "gap", "from", from, "to", to)), null);
            }

            @Override
            public void dropped(long count) throws Exception {
                send(client(pending), Json.text(Map.of("type", "dropped", "count", count)), null);
            }

            @Override
            public boolean caughtUp() throws Exception {
                if (!follow) {
                    client(pending).close(); // the history only: the stream ends once it is sent
                }
                return follow;
            }

            @Override
            public void heartbeat() throws Exception {
                SseClient client = client(pending);
                requireOpen(client);
                client.sendComment("heartbeat");
                requireOpen(client);
            }
        });
        open.add(subscription);
        return subscription;
    }

    /** The stream's client; a request that never became a stream ends its subscription instead of keeping it. */
    private static SseClient client(java.util.concurrent.CompletableFuture<SseClient> pending) throws Exception {
        return pending.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static void send(SseClient client, String json, String id) {
        requireOpen(client);
        if (id == null || id.equals("0")) {
            client.sendData(json);
        } else {
            client.sendData(json, id);
        }
        requireOpen(client);
    }

    /** A write to a gone client fails quietly in Javalin; this ends the subscription instead. */
    private static void requireOpen(SseClient client) {
        if (client.terminated()) {
            throw new IllegalStateException("the client has gone");
        }
    }

    public void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onClose(ctx -> disconnect(ctx));
        ws.onError(ctx -> disconnect(ctx));
    }

    private void connect(WsContext ctx) {
        EventFilter filter;
        long after;
        boolean follow;
        java.util.Optional<java.time.Duration> statsEvery;
        try {
            filter = filter(ctx.queryParamMap(), ctx.<Caller>attribute(RequestGuard.CALLER));
            after = after(ctx.queryParam("after"));
            follow = QueryNumbers.flag("follow", ctx.queryParam("follow"), true);
            statsEvery = usageFeed.interval(ctx.queryParam("stats"), filter);
        } catch (ApiException e) {
            WsRefusal.refuse(ctx, WsRefusal.CLOSE_BAD_REQUEST, e.code(), e.getMessage());
            return;
        } catch (io.containerlease.lease.LeaseNotFoundException e) {
            WsRefusal.refuse(ctx, WsRefusal.CLOSE_NOT_FOUND, "lease_not_found", e.getMessage());
            return;
        }
        if (!connections.admit(ctx, Optional.empty(), "events")) {
            return;
        }
        WsOutbox outbox = new WsOutbox(ctx.session, QUEUE * 2, 4L << 20);
        EventSubscription subscription = hub.subscribe(filter, after, QUEUE, new EventSubscription.Sink() {
            @Override
            public void event(Event event) {
                outbox.text(frame(event));
            }

            @Override
            public void gap(long from, long to) {
                outbox.sendControl(Map.of("type", "gap", "from", from, "to", to));
            }

            @Override
            public void dropped(long count) {
                outbox.sendControl(Map.of("type", "dropped", "count", count));
            }

            @Override
            public boolean caughtUp() {
                if (!follow) {
                    outbox.close(1000, "caught up"); // what was held has been sent, as a read without -f wants
                }
                return follow;
            }
        });
        if (follow) {
            // Tells the client it is subscribed: anything that happens from now on reaches it.
            outbox.sendControl(Map.of("type", "subscribed", "lastId", hub.lastId()));
        }
        usageFeed.start(subscription, filter, statsEvery);
        ctx.attribute(STATE, subscription);
        ctx.enableAutomaticPings(20, java.util.concurrent.TimeUnit.SECONDS);
    }

    private void disconnect(io.javalin.websocket.WsContext ctx) {
        connections.release(ctx);
        EventSubscription subscription = ctx.attribute(STATE);
        if (subscription != null) {
            subscription.close();
        }
    }

    private static EventFilter filter(Context ctx, Caller caller) {
        return filter(ctx.queryParamMap(), caller);
    }

    private static EventFilter filter(Map<String, java.util.List<String>> query, Caller caller) {
        Optional<String> user = first(query, "user");
        user.ifPresent(u -> {
            if (!Caller.USER_NAME.matcher(u).matches()) {
                throw ApiException.badRequest("invalid_query", "'user' is not a user name");
            }
        });
        Optional<String> leaseId = first(query, "leaseId");
        leaseId.ifPresent(id -> {
            if (!LeaseId.isValid(id)) {
                throw ApiException.badRequest("invalid_query", "'leaseId' is not a lease id");
            }
        });
        Set<String> types = first(query, "types")
                .map(raw -> Arrays.stream(raw.split(","))
                        .map(String::trim)
                        .filter(t -> !t.isEmpty())
                        .collect(Collectors.toSet()))
                .orElse(Set.of());
        for (String type : types) {
            if (!TYPES.contains(type)) {
                throw ApiException.badRequest(
                        "invalid_query",
                        "unknown event type '" + (type.length() > 40 ? type.substring(0, 40) : type) + "'; known: "
                                + String.join(", ", TYPES.stream().sorted().toList()));
            }
        }
        return new EventFilter(caller, user, leaseId, types);
    }

    private static Optional<String> first(Map<String, java.util.List<String>> query, String name) {
        var values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty()
                ? Optional.empty()
                : Optional.of(values.get(0));
    }

    /** The last id a client has seen; -1 (new events only) when it says none. */
    private static long after(String raw) {
        if (raw == null || raw.isEmpty()) {
            return -1;
        }
        return QueryNumbers.parse("after", raw, -1, 0, Long.MAX_VALUE);
    }

    /** An event as a frame: {@code {id, at, type, leaseId?, user?, data}}. */
    public static String frame(Event event) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (event.id() > 0) {
            out.put("id", event.id()); // a subscriber's own statistics have none: they cannot be resumed
        }
        out.put("at", event.at().toString());
        out.put("type", event.type());
        if (event.leaseId() != null) {
            out.put("leaseId", event.leaseId());
        }
        if (event.user() != null) {
            out.put("user", event.user());
        }
        out.put("data", event.data());
        return Json.text(out);
    }
}
