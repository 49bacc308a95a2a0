package io.containerlease.api;

import io.containerlease.auth.WsTickets;
import io.containerlease.lease.Caller;
import io.containerlease.lease.LeaseId;
import io.containerlease.store.ActivityEntry;
import io.containerlease.store.ActivityLog;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code POST /api/ws-ticket} (a single-use ticket for a browser WebSocket) and {@code GET /api/activity}. */
final class AccessRoutes {
    private final WsTickets tickets;
    private final ActivityLog activity;

    AccessRoutes(WsTickets tickets, ActivityLog activity) {
        this.tickets = tickets;
        this.activity = activity;
    }

    void ticket(Context ctx) {
        WsTickets.Issued issued = tickets.issue(RequestGuard.caller(ctx));
        ctx.status(201).json(Map.of("ticket", issued.ticket(), "expiresAt", issued.expiresAt().toString()));
    }

    void activity(Context ctx) {
        Caller caller = RequestGuard.caller(ctx);
        int limit = (int) QueryNumbers.parse("limit", ctx.queryParam("limit"), 50, 1, 500);
        long before = QueryNumbers.parse("cursor", ctx.queryParam("cursor"), 0, 0, Long.MAX_VALUE);
        Optional<String> leaseId = Optional.ofNullable(ctx.queryParam("leaseId")).filter(s -> !s.isEmpty()).map(raw -> {
            if (!LeaseId.isValid(raw)) {
                throw ApiException.badRequest("invalid_id", "'leaseId' is not a lease id");
            }
            return raw;
        });
        List<ActivityEntry> page = activity.page(caller.admin() ? Optional.empty() : Optional.of(caller.user()),
                leaseId, before, limit + 1);
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
