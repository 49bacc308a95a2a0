package io.containerlease;

import io.containerlease.api.ApiServer;
import io.containerlease.config.ServiceConfig;
import io.containerlease.events.EventHub;
import io.containerlease.preview.PreviewGateway;
import java.util.Optional;

/**
 * The composition root, read as a table of contents: each assembly builds one part and hands the
 * next what it needs, in start order (store and engine, the core, what is told, the program, live
 * sessions, the containers, other servers, upkeep with the first reconcile pass, then the API). Stop:
 * the reverse. Leases are durable and are left running on stop.
 */
public final class ContainerLeaseServer implements AutoCloseable {
    private final Started started = new Started();
    private final ServiceConfig config;
    private final ApiServer api;
    private final Users users;
    private final String dockerApiVersion;
    private final String instanceId;
    private final int imageTypes;
    private final EventHub events;
    private final int previewPort;

    private ContainerLeaseServer(ServiceConfig config) {
        this.config = config;
        try {
            var steps = new StartupSteps();
            started.add(DataDirLock.acquire(config.dataDir()));
            var base = Foundation.of(config);
            var backing = Backing.open(base, started);
            steps.done("store and engine");
            var core = CoreAssembly.build(base, backing, started);
            var told = EventAssembly.build(core);
            var program = ProgramAssembly.build(core, told, started);
            var sessions = SessionAssembly.build(core, told, started);
            var containers = ContainerAssembly.build(core, told, sessions, started);
            var cluster = ClusterAssembly.join(core, told, sessions, program, containers, started);
            steps.done("parts");
            var upkeep = UpkeepAssembly.start(core, containers, cluster, started);
            steps.done("upkeep");
            var previews = PreviewAssembly.start(core, sessions, started);
            previewPort = previews.gateway().map(PreviewGateway::port).orElse(-1);
            api = started.add(ApiAssembly.build(core, told, sessions, program, containers, cluster, upkeep, previews));
            api.start();
            upkeep.afterApiOpens().run();
            steps.done("api");
            steps.log();
            users = backing.users();
            dockerApiVersion = backing.engine().version();
            instanceId = backing.store().instanceId();
            imageTypes = backing.catalog().imageTypes().size();
            events = told.hub();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts a server and returns once its API answers. */
    public static ContainerLeaseServer start(ServiceConfig config) {
        return new ContainerLeaseServer(config);
    }

    /** Shown once, on the first start without a tokens file: the new admin token and how to use it. */
    public Optional<String> firstStartNotice() {
        return users.firstStartNotice(browsableUrl());
    }

    /**
     * The console's address with the admin token in its fragment; empty when users come from a
     * tokens file (each has their own token).
     */
    public Optional<String> signInUrl() {
        return users.signInUrl(browsableUrl());
    }

    /** The address a browser on this machine can open: a wildcard listen address is not one. */
    private String browsableUrl() {
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + api.port();
    }

    public int port() {
        return api.port();
    }

    /** The port previews are served on; -1 when PREVIEW_PORT=off. */
    public int previewPort() {
        return previewPort;
    }

    public String baseUrl() {
        return api.baseUrl();
    }

    public String dockerApiVersion() {
        return dockerApiVersion;
    }

    /** The value of the containerlease.instance label on this server's containers. */
    public String instanceId() {
        return instanceId;
    }

    public int imageTypes() {
        return imageTypes;
    }

    /** Every event of this server (what its history holds is for tests and the bench to see). */
    public EventHub events() {
        return events;
    }

    /** Stops in reverse order of start. Leases and their containers are left running. Idempotent. */
    @Override
    public void close() {
        started.close();
    }
}
