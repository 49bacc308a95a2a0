package io.containerlease.api;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.session.LeaseConnections;
import io.containerlease.workload.ContainerStates;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WS /ws/exec/{id}?command=…}: one command without a TTY, as {@code docker exec} without
 * {@code -t} runs it, for scripts: its output is the exact bytes it writes. Each binary frame from
 * the server starts with the stream it carries (1 stdout, 2 stderr, as Kubernetes' exec protocol
 * numbers them), then the bytes. The command reads no input (the engine's client cannot end an
 * exec's input without ending its output: a shell takes input). The end is
 * {@code {type: "exit", code?}} and a normal close. Unlike a terminal it is not resumable: a dropped
 * connection ends the command's stream.
 */
final class ExecSocket {
    /** What its connections count as, in /healthz. */
    private static final String KIND = "exec";

    private static final Logger log = LoggerFactory.getLogger(ExecSocket.class);
    static final byte STDOUT = 1;
    static final byte STDERR = 2;
    private static final String STATE = "containerlease.exec";

    private final LeaseService leases;
    private final LeaseConnections connections;
    private final ContainerStreams streams;
    private final LiveConnections limits;
    private final ContainerStates containers;

    ExecSocket(
            LeaseService leases,
            LeaseConnections connections,
            ContainerStreams streams,
            LiveConnections limits,
            ContainerStates containers) {
        this.leases = leases;
        this.connections = connections;
        this.streams = streams;
        this.limits = limits;
        this.containers = containers;
    }

    private record Connected(ContainerStreams.Exec exec, WsOutbox outbox, LeaseConnections.Registration registration) {}

    void configure(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onBinaryMessage(ctx -> noInput(ctx.attribute(STATE)));
        ws.onMessage(ctx -> noInput(ctx.attribute(STATE)));
        ws.onClose(this::disconnect);
        ws.onError(this::disconnect);
    }

    private void connect(WsContext ctx) {
        Lease lease = WsLeases.running(ctx, leases).orElse(null);
        if (lease == null || !limits.admit(ctx, java.util.Optional.of(lease.id()), KIND)) {
            return;
        }
        List<String> command;
        try {
            command = TerminalSocket.command(ctx.queryParamMap().getOrDefault("command", List.of()), false)
                    .orElseThrow(() -> ApiException.badRequest(
                            "invalid_query", "give the command to run: ?command=ls&command=-l"));
        } catch (ApiException e) {
            WsLeases.refuse(ctx, WsLeases.CLOSE_BAD_REQUEST, e.code(), e.getMessage());
            return;
        }
        if (!WsLeases.acceptsShells(ctx, containers, lease)) {
            return;
        }
        WsOutbox outbox = new WsOutbox(ctx.session, 10_000, 2L * 1024 * 1024);
        var opened = connections.open(lease, outbox);
        if (opened.isEmpty()) {
            return; // the lease ended meanwhile; the outbox is sending why, then closing
        }
        ContainerStreams.Exec exec;
        try {
            exec = streams.openExec(
                    ManagedLabels.containerName(lease.id()), command, new ContainerStreams.ExecOutput() {
                        @Override
                        public void stdout(byte[] data) {
                            outbox.binary(tagged(STDOUT, data));
                        }

                        @Override
                        public void stderr(byte[] data) {
                            outbox.binary(tagged(STDERR, data));
                        }

                        @Override
                        public void exited(OptionalInt status) {
                            outbox.sendControl(
                                    status.isPresent()
                                            ? Map.of("type", "exit", "code", status.getAsInt())
                                            : Map.of("type", "exit"));
                            outbox.close(1000, "command exited");
                        }
                    });
        } catch (RuntimeUnavailableException e) {
            opened.get().close();
            WsLeases.refuse(
                    ctx,
                    WsLeases.CLOSE_UNAVAILABLE,
                    "docker_unavailable",
                    "the Docker engine is not reachable; try again shortly");
            return;
        } catch (RuntimeException e) {
            opened.get().close();
            log.warn("cannot run a command {} {}", kv("leaseId", lease.id().value()), kv("error", e.toString()));
            WsLeases.refuse(
                    ctx, WsLeases.CLOSE_UNAVAILABLE, "exec_unavailable", "cannot run a command in this container now");
            return;
        }
        ctx.attribute(STATE, new Connected(exec, outbox, opened.get()));
        ctx.enableAutomaticPings(20, TimeUnit.SECONDS);
    }

    private static byte[] tagged(byte stream, byte[] data) {
        byte[] frame = new byte[data.length + 1];
        frame[0] = stream;
        System.arraycopy(data, 0, frame, 1, data.length);
        return frame;
    }

    private static void noInput(Connected c) {
        if (c != null) {
            c.outbox()
                    .sendControl(
                            Map.of(
                                    "type",
                                    "error",
                                    "code",
                                    "no_input",
                                    "message",
                                    "a command run by /ws/exec reads no input; open a terminal (/ws/terminal) to type into one"));
        }
    }

    private void disconnect(WsContext ctx) {
        limits.release(ctx);
        Connected c = ctx.attribute(STATE);
        if (c != null) {
            c.exec().close();
            c.registration().close();
            c.outbox().stop();
        }
    }
}
