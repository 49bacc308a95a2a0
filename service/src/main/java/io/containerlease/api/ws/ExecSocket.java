package io.containerlease.api.ws;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.containers.ContainerStates;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.Lease;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeUnavailableException;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
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
public final class ExecSocket implements LeaseSocket.Endpoint {
    private static final Logger log = LoggerFactory.getLogger(ExecSocket.class);
    public static final byte STDOUT = 1;
    public static final byte STDERR = 2;

    private final ContainerStreams streams;
    private final ContainerStates containers;

    public ExecSocket(ContainerStreams streams, ContainerStates containers) {
        this.streams = streams;
        this.containers = containers;
    }

    @Override
    public Optional<LeaseSocket.Connection> open(WsContext ctx, Lease lease, WsOutbox outbox)
            throws LeaseSocket.Refusal {
        List<String> command;
        try {
            command = TerminalSocket.command(ctx.queryParamMap().getOrDefault("command", List.of()), false)
                    .orElseThrow(() -> ApiException.badRequest(
                            "invalid_query", "give the command to run: ?command=ls&command=-l"));
        } catch (ApiException e) {
            throw LeaseSocket.Refusal.badRequest(e);
        }
        LeaseSocket.requireShells(containers, lease);
        ContainerStreams.Exec exec;
        try {
            exec = streams.openExec(ManagedLabels.containerName(lease.id()), command, output(outbox));
        } catch (RuntimeUnavailableException e) {
            throw LeaseSocket.Refusal.engineUnavailable();
        } catch (RuntimeException e) {
            log.warn("cannot run a command {} {}", kv("leaseId", lease.id().value()), kv("error", e.toString()));
            throw new LeaseSocket.Refusal(
                    WsRefusal.CLOSE_UNAVAILABLE, "exec_unavailable", "cannot run a command in this container now");
        }
        return Optional.of(new LeaseSocket.Connection() {
            @Override
            public void text(WsMessageContext ctx) {
                noInput(outbox);
            }

            @Override
            public void binary(WsBinaryMessageContext ctx) {
                noInput(outbox);
            }

            @Override
            public void close() {
                exec.close();
            }
        });
    }

    /** Each stream's bytes tagged with its number; the exit status last, then a normal close. */
    private static ContainerStreams.ExecOutput output(WsOutbox outbox) {
        return new ContainerStreams.ExecOutput() {
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
        };
    }

    private static byte[] tagged(byte stream, byte[] data) {
        byte[] frame = new byte[data.length + 1];
        frame[0] = stream;
        System.arraycopy(data, 0, frame, 1, data.length);
        return frame;
    }

    private static void noInput(WsOutbox outbox) {
        {
            outbox.sendControl(Map.of(
                    "type",
                    "error",
                    "code",
                    "no_input",
                    "message",
                    "a command run by /ws/exec reads no input; open a terminal (/ws/terminal) to type into one"));
        }
    }
}
