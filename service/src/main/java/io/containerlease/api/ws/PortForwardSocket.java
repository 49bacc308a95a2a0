package io.containerlease.api.ws;

import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.WsRefusal;
import io.containerlease.containers.ContainerStates;
import io.containerlease.lease.Lease;
import io.containerlease.preview.PreviewRelays;
import io.containerlease.preview.TcpRelay;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code WS /ws/port-forward/{id}?port=N}: one TCP connection to port N on the lease container's
 * loopback, as {@code kubectl port-forward} makes one, carried through the same relay as previews:
 * binary frames both ways are the connection's bytes; the program closing its side closes the
 * socket (1000). Output is sent at the client's pace (never dropped), input at the program's.
 */
public final class PortForwardSocket implements LeaseSocket.Endpoint {
    /** What one connection may hold for a slow client: the relay's window is the rest. */
    public static final LeaseSocket.Bounds BOUNDS = new LeaseSocket.Bounds(1024, 1024 * 1024);

    private final PreviewRelays relays;
    private final ContainerStates containers;

    public PortForwardSocket(PreviewRelays relays, ContainerStates containers) {
        this.relays = relays;
        this.containers = containers;
    }

    @Override
    public Optional<LeaseSocket.Connection> open(WsContext ctx, Lease lease, WsOutbox outbox)
            throws LeaseSocket.Refusal {
        int port;
        try {
            port = (int) LeaseSocket.number(ctx, "port", -1, 1, 65535);
            if (port < 0) {
                throw ApiException.badRequest("invalid_query", "give the port inside the container: ?port=8080");
            }
        } catch (ApiException e) {
            throw LeaseSocket.Refusal.badRequest(e);
        }
        LeaseSocket.requireShells(containers, lease);
        TcpRelay.Connection connection;
        try {
            connection = relays.connect(lease.id(), port);
        } catch (IOException e) {
            throw new LeaseSocket.Refusal(
                    WsRefusal.CLOSE_CONFLICT,
                    "port_not_listening",
                    "nothing listens on port " + port + " in the container");
        }
        Thread.ofVirtual().name("port-forward-out").start(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = connection.input()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (!outbox.binaryWhenRoom(Arrays.copyOf(buffer, n))) {
                        break;
                    }
                }
                outbox.close(1000, "the program closed the connection");
            } catch (IOException e) {
                outbox.close(1000, "the connection ended");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return Optional.of(new LeaseSocket.Connection() {
            @Override
            public void binary(WsBinaryMessageContext ctx) {
                try {
                    var data = ctx.data();
                    byte[] bytes = new byte[data.remaining()];
                    data.get(bytes);
                    connection.output().write(bytes);
                } catch (IOException e) {
                    outbox.close(1000, "the connection ended");
                }
            }

            @Override
            public void text(WsMessageContext ctx) {
                outbox.close(WsRefusal.CLOSE_BAD_REQUEST, "send the connection's bytes as binary frames");
            }

            @Override
            public void close() {
                connection.close();
            }
        });
    }
}
