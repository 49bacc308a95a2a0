package io.containerlease.api.http;

import io.containerlease.activity.ActivityEntry;
import io.containerlease.activity.ActivityLog;
import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.QueryNumbers;
import io.containerlease.auth.WsTickets;
import io.containerlease.lease.Caller;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseStore;
import io.javalin.http.Context;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a caller may know about their own access: who they are ({@code GET /api/me}), a single-use
 * ticket for a browser WebSocket ({@code POST /api/ws-ticket}), and their activity ({@code GET /api/activity}).
 */
public final class AccessRoutes {
    private final WsTickets tickets;
    private final ActivityLog activity;
    private final InstantSource clock;
    private final LeaseStore store;

    /** @param store says which cluster and which server of it this is */
    public AccessRoutes(WsTickets tickets, ActivityLog activity, InstantSource clock, LeaseStore store) {
        this.tickets = tickets;
        this.activity = activity;
        this.clock = clock;
        this.store = store;
    }

    /**
     * Who the token belongs to, the server's clock (a browser corrects its countdowns by it), and
     * which cluster and server answered.
     */
    public void me(Context ctx) {
        Caller caller = RequestGuard.caller(ctx);
        ctx.json(Map.of(
                "user",
                caller.user(),
                "admin",
                caller.admin(),
                "serverTime",
                clock.instant().toString(),
                "cluster",
                store.instanceId(),
                "server",
                store.serverId()));
    }

    public void ticket(Context ctx) {
        WsTickets.Issued issued = tickets.issue(RequestGuard.credential(ctx));
        ctx.status(201)
                .json(Map.of(
                        "ticket",
                        issued.ticket(),
                        "expiresAt",
                        issued.expiresAt().toString()));
    }

    public void activity(Context ctx) {
        Caller caller = RequestGuard.caller(ctx);
        int limit = (int) QueryNumbers.parse("limit", ctx.queryParam("limit"), 50, 1, 500);
        long before = QueryNumbers.parse("cursor", ctx.queryParam("cursor"), 0, 0, Long.MAX_VALUE);
        Optional<String> leaseId = Optional.ofNullable(ctx.queryParam("leaseId"))
                .filter(s -> !s.isEmpty())
                .map(raw -> {
                    if (!LeaseId.isValid(raw)) {
                        throw ApiException.badRequest("invalid_id", "'leaseId' is not a lease id");
                    }
                    return raw;
                });
        Optional<String> user = Optional.ofNullable(ctx.queryParam("user"))
                .filter(s -> !s.isEmpty())
                .map(raw -> {
                    if (!Caller.USER_NAME.matcher(raw).matches()) {
                        throw ApiException.badRequest("invalid_query", "'user' is not a user name");
                    }
                    return raw;
                });
        // A user sees only their own entries, whatever they ask for; an admin may narrow to one user.
        List<ActivityEntry> page =
                activity.page(caller.admin() ? user : Optional.of(caller.user()), leaseId, before, limit + 1);
        boolean more = page.size() > limit;
        List<ActivityEntry> shown = more ? page.subList(0, limit) : page;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("entries", shown.stream().map(AccessRoutes::json).toList());
        out.put("nextCursor", more ? Long.toString(shown.get(shown.size() - 1).seq()) : null);
        ctx.json(out);
    }

    private static Map<String, Object> json(ActivityEntry e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("at", e.at().toString());
        out.put("user", e.user());
        out.put("action", e.action());
        if (e.leaseId() != null) {
            out.put("leaseId", e.leaseId());
        }
        if (e.client() != null) {
            out.put("client", e.client());
        }
        out.put("outcome", e.outcome());
        if (e.reason() != null) {
            out.put("reason", e.reason());
        }
        return out;
    }
}
