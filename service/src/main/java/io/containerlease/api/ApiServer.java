package io.containerlease.api;

import io.containerlease.activity.ActivityLog;
import io.containerlease.activity.ActivityRecorder;
import io.containerlease.api.access.LiveConnections;
import io.containerlease.api.access.RateLimiter;
import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.access.RequestLimiter;
import io.containerlease.api.access.UpgradeFilter;
import io.containerlease.api.events.EventRoutes;
import io.containerlease.api.events.UsageFeed;
import io.containerlease.api.http.AccessRoutes;
import io.containerlease.api.http.ApiDocsRoutes;
import io.containerlease.api.http.CatalogRoutes;
import io.containerlease.api.http.ChannelRoutes;
import io.containerlease.api.http.CodeRoutes;
import io.containerlease.api.http.ConsoleRoutes;
import io.containerlease.api.http.ControlRoutes;
import io.containerlease.api.http.FileRoutes;
import io.containerlease.api.http.HealthRoutes;
import io.containerlease.api.http.LeaseRoutes;
import io.containerlease.api.http.PreviewRoutes;
import io.containerlease.api.http.TerminalRoutes;
import io.containerlease.api.http.UsageRoutes;
import io.containerlease.api.socketio.SocketIoCommands;
import io.containerlease.api.socketio.SocketIoGateway;
import io.containerlease.api.support.ErrorResponses;
import io.containerlease.api.support.Json;
import io.containerlease.api.support.JsonBody;
import io.containerlease.api.support.JsonErrorHandler;
import io.containerlease.api.support.UnreadBodies;
import io.containerlease.api.ws.ChannelSocket;
import io.containerlease.api.ws.ExecSocket;
import io.containerlease.api.ws.LeaseSocket;
import io.containerlease.api.ws.LogSocket;
import io.containerlease.api.ws.PortForwardSocket;
import io.containerlease.api.ws.TerminalSocket;
import io.containerlease.auth.Authenticator;
import io.containerlease.auth.WsTickets;
import io.containerlease.cluster.SharedRateLimit;
import io.containerlease.config.ImageCatalog;
import io.containerlease.config.ServiceConfig;
import io.containerlease.containers.ContainerControl;
import io.containerlease.containers.ContainerDeadlines;
import io.containerlease.containers.ContainerStates;
import io.containerlease.containers.UsageWatch;
import io.containerlease.events.EventHub;
import io.containerlease.files.LeaseFiles;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.ImageReadiness;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.Redactor;
import io.containerlease.pool.WarmPool;
import io.containerlease.preview.PreviewLinks;
import io.containerlease.preview.PreviewRelays;
import io.containerlease.program.channel.Channels;
import io.containerlease.program.code.CodeUpdates;
import io.containerlease.session.LeaseConnections;
import io.containerlease.session.LogStreams;
import io.containerlease.session.SessionView;
import io.containerlease.session.TerminalSessions;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/** The HTTP and WebSocket server and its route table, in one place. */
public final class ApiServer implements AutoCloseable {
    /** A WebSocket with no frame (pings included) for this long is considered dead, which starts its lease's grace. */
    public static final Duration WS_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The largest WebSocket message a client may send (terminal input, control messages). */
    public static final long WS_MAX_MESSAGE_BYTES = 64 * 1024;

    /** What the faces call into, by the part that offers it. */
    public record Services(Leases leases, Sessions sessions, Containers containers, Access access) {}

    /** The leases themselves, and the catalog, store and engine they stand on. */
    public record Leases(
            LeaseService service,
            ImageCatalog catalog,
            ImageReadiness images,
            LeaseStore store,
            ContainerRuntime runtime,
            ContainerStreams streams,
            WarmPool pool,
            InstantSource clock) {}

    /** Live use of a lease: its connections and grace, terminals and log streams. */
    public record Sessions(
            SessionView view, LeaseConnections connections, TerminalSessions terminals, LogStreams logs) {}

    /** What each lease's container and the program inside it are doing, and the controls over them. */
    public record Containers(
            ContainerStates states,
            ContainerControl control,
            UsageWatch usage,
            ContainerDeadlines deadlines,
            Channels channels,
            CodeUpdates code,
            LeaseFiles files,
            Previews previews) {}

    /** The relays into containers' ports, and the links to previews (none with PREVIEW_PORT=off). */
    public record Previews(Optional<PreviewLinks> links, PreviewRelays relays) {}

    /** Who may do what, what they did, and what is told about it. */
    public record Access(
            Optional<Authenticator> tokens,
            WsTickets tickets,
            Redactor redactor,
            ActivityRecorder activity,
            ActivityLog activityLog,
            Optional<SharedRateLimit> sharedRateLimit,
            EventHub events,
            PrometheusMeterRegistry registry) {}

    private final Javalin app;
    private final ServiceConfig config;
    private final EventRoutes eventRoutes;
    private final SocketIoGateway socketIo;

    public ApiServer(ServiceConfig config, Services services) {
        this.config = config;
        var leases = services.leases();
        var sessions = services.sessions();
        var containers = services.containers();
        var access = services.access();
        var leaseRoutes = new LeaseRoutes(
                leases.service(), sessions.view(), containers.states(), containers.deadlines(), leases.clock());
        var controlRoutes = new ControlRoutes(containers.control(), leases.service(), sessions.view(), leaseRoutes);
        var connections = new LiveConnections(config.connectionLimits(), LiveConnections.maxDescriptors());
        var healthRoutes =
                new HealthRoutes(leases.store(), leases.runtime(), access.registry(), connections, leases.pool());
        var leaseSockets = new LeaseSocket(leases.service(), sessions.connections(), connections);
        var terminalSocket =
                new TerminalSocket(sessions.terminals(), sessions.view(), leases.catalog(), containers.states());
        var logSocket = new LogSocket(sessions.logs());
        var execSocket = new ExecSocket(leases.streams(), containers.states());
        var terminalRoute = leaseSockets.serving("terminal", LeaseSocket.Bounds.PROGRAM_OUTPUT, terminalSocket);
        var execRoute = leaseSockets.serving("exec", LeaseSocket.Bounds.PROGRAM_OUTPUT, execSocket);
        var logRoute = leaseSockets.serving("logs", LogSocket.BOUNDS, logSocket);
        var catalogRoutes = new CatalogRoutes(leases.catalog(), config, leases.images());
        var terminalRoutes = new TerminalRoutes(leases.service(), sessions.terminals());
        var accessRoutes = new AccessRoutes(access.tickets(), access.activityLog(), leases.clock(), leases.store());
        var consoleRoutes = new ConsoleRoutes(ApiServer.class.getClassLoader());
        var apiDocs = new ApiDocsRoutes(ApiServer.class.getClassLoader());
        eventRoutes = new EventRoutes(
                access.events(),
                new UsageFeed(leases.service(), containers.states(), containers.usage(), leases.clock()),
                connections);
        var usageRoutes = new UsageRoutes(leases.service(), containers.states(), containers.usage(), leases.catalog());
        var local = new RateLimiter(config.rateLimitPerMinute(), System::nanoTime);
        RequestLimiter limiter = access.sharedRateLimit()
                .map(shared -> RequestLimiter.shared(shared, config.rateLimitPerMinute(), local))
                .orElse(local);
        var guard = new RequestGuard(config, access.tokens(), access.tickets(), limiter);
        var errors = new ErrorResponses(access.redactor());
        var channelRoutes = new ChannelRoutes(leases.service(), containers.channels(), sessions.view());
        var channelRoute = leaseSockets.serving(
                "channel", ChannelSocket.BOUNDS, new ChannelSocket(containers.channels(), sessions.view()));
        var codeRoutes = new CodeRoutes(leases.service(), containers.code(), sessions.view());
        var fileRoutes = new FileRoutes(leases.service(), containers.states(), containers.files(), sessions.view());
        var previewRoutes =
                new PreviewRoutes(leases.service(), containers.previews().links());
        var portForwardRoute = leaseSockets.serving(
                "port-forward",
                PortForwardSocket.BOUNDS,
                new PortForwardSocket(containers.previews().relays(), containers.states()));
        var socketIoCommands = new SocketIoCommands(
                guard, leases.service(), containers.control(), sessions.view(), leaseRoutes, channelRoutes, codeRoutes);
        socketIo =
                new SocketIoGateway(guard, socketIoCommands, access.events(), errors, access.activity(), connections);
        // A revoked token (or one given to another user or role) ends every connection it opened, within the reload's
        // second.
        access.tokens().ifPresent(tokens -> tokens.onChange(() -> connections.endWhere(guard::stillValid)));
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.maxRequestSize = JsonBody.MAX_BYTES;
            cfg.http.prefer405over404 = true;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.jetty.modifyWebSocketServletFactory(ws -> {
                ws.setIdleTimeout(WS_IDLE_TIMEOUT);
                // A bigger message is refused with 1009 before it is buffered.
                ws.setMaxBinaryMessageSize(WS_MAX_MESSAGE_BYTES);
                ws.setMaxTextMessageSize(WS_MAX_MESSAGE_BYTES);
            });
            cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            // Socket.IO has its own servlet beside Javalin's (long-polling cannot go through Javalin's handlers).
            cfg.jetty.modifyServletContextHandler(handler -> handler.addServlet(
                    new org.eclipse.jetty.ee10.servlet.ServletHolder(socketIo.servlet(WS_IDLE_TIMEOUT)),
                    "/socket.io/*"));
            // WebSocket upgrades are guarded before Javalin begins them (it reads the query and a session as it does).
            cfg.jetty.modifyServletContextHandler(handler -> handler.addFilter(
                    new org.eclipse.jetty.ee10.servlet.FilterHolder(new UpgradeFilter(guard)),
                    "/*",
                    java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST)));

            cfg.routes.before(guard::http);
            cfg.routes.wsBeforeUpgrade(guard::webSocket);
            cfg.routes.after("/api/*", ctx -> recordActivity(ctx, access.activity()));
            cfg.routes.after(UnreadBodies::drain);

            cfg.routes.get("/api/catalog", catalogRoutes::list);
            cfg.routes.post("/api/provision", leaseRoutes::provision);
            cfg.routes.get("/api/containers", leaseRoutes::list);
            cfg.routes.get("/api/containers/{id}", leaseRoutes::get);
            cfg.routes.post("/api/containers/{id}/extend", leaseRoutes::extend);
            cfg.routes.delete("/api/containers/{id}", leaseRoutes::release);
            for (ContainerControl.Action action : ContainerControl.Action.values()) {
                cfg.routes.post("/api/containers/{id}/" + action.wireName(), ctx -> controlRoutes.apply(ctx, action));
            }
            cfg.routes.post("/api/containers/{id}/messages", channelRoutes::send);
            cfg.routes.get("/api/containers/{id}/channel", channelRoutes::status);
            cfg.routes.put("/api/containers/{id}/code", codeRoutes::update);
            cfg.routes.get("/api/containers/{id}/code", codeRoutes::list);
            cfg.routes.post("/api/containers/{id}/code/rollback", codeRoutes::rollback);
            cfg.routes.post("/api/containers/{id}/previews", previewRoutes::create);
            cfg.routes.get("/api/containers/{id}/files", fileRoutes::download);
            cfg.routes.put("/api/containers/{id}/files", fileRoutes::upload);
            cfg.routes.delete("/api/containers/{id}/files", fileRoutes::remove);
            cfg.routes.get("/api/containers/{id}/files/list", fileRoutes::list);
            cfg.routes.post("/api/containers/{id}/files/directories", fileRoutes::makeDirectory);
            cfg.routes.get("/api/containers/{id}/sessions", terminalRoutes::list);
            cfg.routes.get("/api/containers/{id}/stats", usageRoutes::stats);
            cfg.routes.delete("/api/containers/{id}/sessions/{sessionId}", terminalRoutes::end);
            cfg.routes.post("/api/ws-ticket", accessRoutes::ticket);
            cfg.routes.get("/api/activity", accessRoutes::activity);
            cfg.routes.get("/api/me", accessRoutes::me);
            cfg.routes.get("/api/events", eventRoutes::sse);
            cfg.routes.ws("/ws/events", eventRoutes::configure);
            cfg.routes.ws("/ws/terminal/{id}", terminalRoute);
            cfg.routes.ws("/ws/exec/{id}", execRoute);
            cfg.routes.ws("/ws/port-forward/{id}", portForwardRoute);
            cfg.routes.ws("/ws/logs/{id}", logRoute);
            cfg.routes.ws("/ws/channel/{id}", channelRoute);
            cfg.routes.get(ApiDocsRoutes.DOCUMENT, apiDocs::document);
            cfg.routes.get(ApiDocsRoutes.DOCS, apiDocs::docs);
            cfg.routes.get(ApiDocsRoutes.DOCS + "/*", apiDocs::docs);
            cfg.routes.get("/healthz", healthRoutes::health);
            cfg.routes.get("/metrics", healthRoutes::metrics);
            // Last: whatever is not the API is the web console (deep links answer its index.html).
            cfg.routes.get("/", consoleRoutes::serve);
            cfg.routes.get("/*", consoleRoutes::serve);
            errors.registerOn(cfg.routes);
        });
    }

    /** Every state-changing lease request that got as far as a route is recorded, however it ended. */
    private static void recordActivity(io.javalin.http.Context ctx, ActivityRecorder activity) {
        String action = ctx.attribute(LeaseRoutes.ACTION);
        if (action == null || RequestGuard.caller(ctx) == null) {
            return;
        }
        String reason =
                ctx.statusCode() < 400 ? ctx.attribute(LeaseRoutes.SUMMARY) : ctx.attribute(ErrorResponses.MESSAGE);
        activity.request(
                RequestGuard.caller(ctx),
                action,
                ctx.attribute(LeaseRoutes.LEASE),
                RequestGuard.client(ctx),
                ctx.statusCode(),
                Boolean.TRUE.equals(ctx.attribute(LeaseRoutes.WORK_FAILED)),
                reason);
    }

    public void start() {
        app.start();
    }

    /** The port actually bound (useful when PORT=0 asked for any free one). */
    public int port() {
        return app.port();
    }

    public String baseUrl() {
        return "http://" + config.host() + ":" + port();
    }

    @Override
    public void close() {
        eventRoutes.closeAll();
        app.stop();
        socketIo.close();
    }
}
