package io.containerlease.api.http;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.session.TerminalSession;
import io.containerlease.session.TerminalSessions;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A lease's terminal sessions over HTTP: list them (to resume one, or to see why a new one is
 * refused) and end one. The lease must be the caller's, as for every lease endpoint.
 */
public final class TerminalRoutes {
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-z]{24}");

    private final LeaseService leases;
    private final TerminalSessions terminals;

    public TerminalRoutes(LeaseService leases, TerminalSessions terminals) {
        this.leases = leases;
        this.terminals = terminals;
    }

    public void list(Context ctx) {
        LeaseId id = LeaseRoutes.pathId(ctx);
        leases.get(id, RequestGuard.caller(ctx));
        ctx.json(Map.of(
                "sessions",
                terminals.list(id).stream().map(TerminalRoutes::json).toList(),
                "max",
                TerminalSessions.MAX_PER_LEASE));
    }

    public void end(Context ctx) {
        ctx.attribute(LeaseRoutes.ACTION, "end-terminal");
        LeaseId id = LeaseRoutes.pathId(ctx);
        ctx.attribute(LeaseRoutes.LEASE, id.value());
        leases.get(id, RequestGuard.caller(ctx));
        String sessionId = ctx.pathParam("sessionId");
        if (!SESSION_ID.matcher(sessionId).matches() || !terminals.end(id, sessionId)) {
            throw new ApiException(
                    404,
                    "session_not_found",
                    "no terminal session " + (sessionId.length() > 40 ? sessionId.substring(0, 40) + "…" : sessionId)
                            + " on this lease (it may have exited)");
        }
        ctx.attribute(LeaseRoutes.SUMMARY, "ended terminal session " + sessionId);
        ctx.json(Map.of("success", true));
    }

    private static Map<String, Object> json(TerminalSession.Summary s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", s.sessionId());
        out.put("createdAt", s.createdAt().toString());
        out.put("attached", s.attached());
        out.put(
                "unattendedSince",
                s.unattendedSince() == null ? null : s.unattendedSince().toString());
        out.put("offset", s.offset());
        return out;
    }
}
