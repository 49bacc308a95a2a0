package io.containerlease.api.http;

import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.JsonBody;
import io.containerlease.api.support.QueryNumbers;
import io.containerlease.containers.ContainerDeadlines;
import io.containerlease.containers.ContainerStates;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.lease.SessionRules;
import io.containerlease.session.SessionView;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The lease endpoints: parse and check the request, call the lease service, shape the answer. No decisions. */
public final class LeaseRoutes {
    /** Request attributes the activity log reads after the request: what was asked, about which lease, and its result. */
    public static final String ACTION = "containerlease.activity.action";

    public static final String LEASE = "containerlease.activity.lease";
    public static final String SUMMARY = "containerlease.activity.summary";
    /** Set true by a route whose answer is a success but whose work did not happen (a rolled-back update). */
    public static final String WORK_FAILED = "containerlease.activity.work-failed";

    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 500;
    public static final int MAX_ENV = 64;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** A plain file name: no path, no hidden file. */
    private static final Pattern SECRET_FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

    public static final int MAX_SECRET_FILES = 16;
    private static final long MAX_SECONDS = 366L * 24 * 3600;

    private final LeaseService leases;
    private final SessionView sessions;
    private final ContainerStates containers;
    private final ContainerDeadlines deadlines;
    private final InstantSource clock;

    public LeaseRoutes(
            LeaseService leases,
            SessionView sessions,
            ContainerStates containers,
            ContainerDeadlines deadlines,
            InstantSource clock) {
        this.leases = leases;
        this.sessions = sessions;
        this.containers = containers;
        this.deadlines = deadlines;
        this.clock = clock;
    }

    public void provision(Context ctx) {
        ctx.attribute(ACTION, "provision");
        ProvisionRequest request = provisionRequest(JsonBody.read(ctx));
        Lease lease = leases.provision(request, RequestGuard.caller(ctx));
        ctx.attribute(LEASE, lease.id().value());
        ctx.attribute(SUMMARY, provisionSummary(request));
        ctx.status(201).json(json(lease));
    }

    /** A provision request from its JSON, checked by the same rules whichever face it came through. */
    public static ProvisionRequest provisionRequest(JsonBody json) {
        JsonBody body = json.allowOnly(Set.of(
                "imageType",
                "durationMinutes",
                "durationSeconds",
                "env",
                "secretEnv",
                "secretFiles",
                "disconnectGraceSeconds",
                "idleTimeoutSeconds"));
        String imageType = body.requiredString("imageType", 64);
        Duration duration = duration(body);
        Map<String, String> env = body.stringMap("env", MAX_ENV, ENV_NAME, 32 * 1024);
        Map<String, String> secretEnv = body.stringMap("secretEnv", MAX_ENV, ENV_NAME, 32 * 1024);
        if (env.size() + secretEnv.size() > MAX_ENV) {
            throw ApiException.badRequest(
                    "invalid_field", "env and secretEnv may hold at most " + MAX_ENV + " variables together");
        }
        Map<String, String> secretFiles = body.stringMap("secretFiles", MAX_SECRET_FILES, SECRET_FILE_NAME, 32 * 1024);
        requireMaskable("secretEnv", secretEnv);
        requireMaskable("secretFiles", secretFiles);
        SessionRules rules = new SessionRules(
                body.wholeNumber("disconnectGraceSeconds", 1, MAX_SECONDS).map(Duration::ofSeconds),
                body.wholeNumber("idleTimeoutSeconds", 1, MAX_SECONDS).map(Duration::ofSeconds));
        return new ProvisionRequest(imageType, duration, env, rules, secretEnv, secretFiles);
    }

    public static String provisionSummary(ProvisionRequest request) {
        return "provisioned " + request.imageType() + " for " + inWords(request.duration());
    }

    /**
     * A duration as the activity log says it to a person: {@code 45 s}, {@code 10 min},
     * {@code 1 h 30 min}, {@code 2 d}. (The log holds no absolute times in its words: a reader's
     * clock and zone are not the server's.)
     */
    static String inWords(Duration d) {
        long s = d.toSeconds();
        if (s < 60 || s < 600 && s % 60 != 0) {
            return s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
        }
        long minutes = s / 60;
        if (minutes < 60) {
            return minutes + " min";
        }
        if (minutes < 48 * 60) {
            return minutes / 60 + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
        }
        return minutes / (24 * 60) + " d";
    }

    public void list(Context ctx) {
        int limit = (int) QueryNumbers.parse("limit", ctx.queryParam("limit"), DEFAULT_PAGE, 1, MAX_PAGE);
        boolean all = QueryNumbers.flag("all", ctx.queryParam("all"));
        Optional<LeaseId> cursor = Optional.ofNullable(ctx.queryParam("cursor"))
                .filter(s -> !s.isEmpty())
                .map(raw -> {
                    if (!LeaseId.isValid(raw)) {
                        throw ApiException.badRequest(
                                "invalid_cursor", "cursor must be a nextCursor value from an earlier page");
                    }
                    return new LeaseId(raw);
                });
        List<Lease> page = leases.page(RequestGuard.caller(ctx), all, cursor, limit + 1);
        boolean more = page.size() > limit;
        List<Lease> shown = more ? page.subList(0, limit) : page;
        var now = clock.instant();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                "containers",
                shown.stream()
                        .map(l -> LeaseJson.of(
                                l, now, sessions.status(l.id()), containers.status(l.id()), deadlines.deadlineOf(l)))
                        .toList());
        out.put("nextCursor", more ? shown.get(shown.size() - 1).id().value() : null);
        out.put("serverTime", now.toString());
        ctx.json(out);
    }

    public void get(Context ctx) {
        LeaseId id = pathId(ctx);
        Lease lease = leases.get(id, RequestGuard.caller(ctx));
        sessions.touch(id);
        ctx.json(json(lease));
    }

    public void extend(Context ctx) {
        ctx.attribute(ACTION, "extend");
        LeaseId id = pathId(ctx);
        ctx.attribute(LEASE, id.value());
        JsonBody body = JsonBody.read(ctx).allowOnly(Set.of("durationMinutes", "durationSeconds"));
        Duration more = duration(body);
        var extended = leases.extend(id, more, RequestGuard.caller(ctx));
        ctx.attribute(
                SUMMARY,
                "extended by " + inWords(more)
                        + (extended.granted().clamped() ? " (cut short at its longest allowed end)" : ""));
        sessions.touch(id);
        ctx.json(LeaseJson.extended(
                extended.lease(),
                extended.granted(),
                clock.instant(),
                sessions.status(id),
                containers.status(id),
                deadlines.deadlineOf(extended.lease())));
    }

    public void release(Context ctx) {
        ctx.attribute(ACTION, "release");
        LeaseId id = pathId(ctx);
        ctx.attribute(LEASE, id.value());
        Lease lease = leases.release(id, RequestGuard.caller(ctx));
        ctx.attribute(SUMMARY, "released");
        ctx.json(Map.of(
                "success",
                true,
                "id",
                lease.id().value(),
                "status",
                lease.state().wireName()));
    }

    /** A secret shorter than this could not be masked without masking ordinary text too. */
    private static void requireMaskable(String field, Map<String, String> secrets) {
        for (String value : secrets.values()) {
            if (value.length() < io.containerlease.lease.Redactor.MIN_SECRET_LENGTH) {
                throw ApiException.badRequest(
                        "invalid_field",
                        field + " values must be at least " + io.containerlease.lease.Redactor.MIN_SECRET_LENGTH
                                + " characters, or they cannot be kept out of logs");
            }
        }
    }

    public Map<String, Object> json(Lease lease) {
        return LeaseJson.of(
                lease,
                clock.instant(),
                sessions.status(lease.id()),
                containers.status(lease.id()),
                deadlines.deadlineOf(lease));
    }

    /**
     * Exactly one of durationMinutes and durationSeconds, any whole number: the policy checks the
     * bounds and says them in one way (a value too big even to hold is just over them).
     */
    private static Duration duration(JsonBody body) {
        Optional<Long> minutes = body.saturatedWholeNumber("durationMinutes");
        Optional<Long> seconds = body.saturatedWholeNumber("durationSeconds");
        if (minutes.isPresent() == seconds.isPresent()) {
            throw ApiException.badRequest(
                    "invalid_duration", "give exactly one of 'durationMinutes' and 'durationSeconds'");
        }
        long asSeconds = minutes.map(m -> Math.min(Math.max(m, 0), MAX_SECONDS / 60 + 1) * 60)
                .orElseGet(() -> Math.min(Math.max(seconds.get(), 0), MAX_SECONDS + 1));
        return Duration.ofSeconds(asSeconds);
    }

    public static LeaseId pathId(Context ctx) {
        String raw = ctx.pathParam("id");
        if (!LeaseId.isValid(raw)) {
            throw ApiException.badRequest(
                    "invalid_id",
                    "'" + (raw.length() > 40 ? raw.substring(0, 40) + "…" : raw)
                            + "' is not a lease id (26 characters of lower-case base32)");
        }
        return new LeaseId(raw);
    }
}
