package io.containerlease;

import io.containerlease.api.ApiServer;
import io.containerlease.auth.Authenticator;
import io.containerlease.auth.WsTickets;
import io.containerlease.files.LeaseFiles;

/** The faces (HTTP, WebSocket, Socket.IO), given what each part offers them. */
final class ApiAssembly {
    private ApiAssembly() {}

    static ApiServer build(
            CoreAssembly core,
            EventAssembly events,
            SessionAssembly sessions,
            ProgramAssembly program,
            ContainerAssembly containers,
            ClusterAssembly cluster,
            UpkeepAssembly upkeep,
            PreviewAssembly previews) {
        var base = core.base();
        var engine = core.engine();
        return new ApiServer(
                core.config(),
                new ApiServer.Services(
                        new ApiServer.Leases(
                                core.leases(),
                                core.catalog(),
                                core.containers().images(),
                                core.store(),
                                engine.runtime(),
                                engine.streams(),
                                upkeep.pool(),
                                base.clock()),
                        new ApiServer.Sessions(
                                sessions.view(), sessions.connections(), sessions.terminals(), sessions.logs()),
                        new ApiServer.Containers(
                                containers.states(),
                                containers.control(),
                                containers.usage(),
                                containers.deadlines(),
                                program.channels(),
                                program.code(),
                                new LeaseFiles(engine.streams(), core.config().filesMaxBytes()),
                                new ApiServer.Previews(previews.links(), previews.relays())),
                        new ApiServer.Access(
                                core.backing().users().tokens().map(Authenticator.class::cast),
                                new WsTickets(base.clock(), base.random()),
                                base.redactor(),
                                events.activity(),
                                core.store().activityLog(),
                                cluster.rateLimit(),
                                events.hub(),
                                core.registry())));
    }
}
