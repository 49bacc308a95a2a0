package io.containerlease.api;

import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeaseService;
import io.containerlease.runtime.ContainerRuntime;
import io.containerlease.session.SessionView;
import io.containerlease.store.LeaseStore;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.InstantSource;

/** The HTTP server and its route table, in one place. */
public final class ApiServer implements AutoCloseable {
    private final Javalin app;
    private final ServiceConfig config;

    public ApiServer(ServiceConfig config, LeaseService leases, SessionView sessions, LeaseStore store,
                     ContainerRuntime runtime, PrometheusMeterRegistry registry, InstantSource clock) {
        this.config = config;
        var leaseRoutes = new LeaseRoutes(leases, sessions, clock);
        var healthRoutes = new HealthRoutes(store, runtime, registry);
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            cfg.http.maxRequestSize = JsonBody.MAX_BYTES;
            cfg.http.prefer405over404 = true;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();

            cfg.routes.post("/api/provision", leaseRoutes::provision);
            cfg.routes.get("/api/containers", leaseRoutes::list);
            cfg.routes.get("/api/containers/{id}", leaseRoutes::get);
            cfg.routes.post("/api/containers/{id}/extend", leaseRoutes::extend);
            cfg.routes.delete("/api/containers/{id}", leaseRoutes::release);
            cfg.routes.get("/healthz", healthRoutes::health);
            cfg.routes.get("/metrics", healthRoutes::metrics);
            ErrorResponses.register(cfg.routes);
        });
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
        app.stop();
    }
}
