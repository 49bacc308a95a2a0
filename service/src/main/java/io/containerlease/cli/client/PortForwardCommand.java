package io.containerlease.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code containerlease port-forward ID [LOCAL:]REMOTE}, as {@code kubectl port-forward}: a port on
 * this machine's loopback, each connection to it carried to REMOTE inside the lease's container
 * over a WebSocket of its own ({@code /ws/port-forward}). Runs until interrupted.
 */
@Command(
        name = "port-forward",
        mixinStandardHelpOptions = true,
        description = {
            "Forward a local port to a port inside a lease's container, as kubectl port-forward does.",
            "LOCAL is a port on 127.0.0.1 (0 or left out: REMOTE if it is free, else any); runs until Ctrl-C."
        },
        footer = {
            "",
            "Examples:",
            "  containerlease port-forward 01m8… 8000          # http://127.0.0.1:8000 is the app's port 8000",
            "  containerlease port-forward 01m8… 5433:5432     # a database inside, on local port 5433"
        })
public final class PortForwardCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "[LOCAL:]REMOTE")
    String ports;

    @Override
    protected int run(ServiceClient client) {
        String[] parts = ports.split(":", -1);
        int local;
        int remote;
        try {
            remote = Integer.parseInt(parts[parts.length - 1]);
            local = parts.length == 2 ? Integer.parseInt(parts[0]) : remote;
        } catch (NumberFormatException e) {
            throw usage();
        }
        if (parts.length > 2 || remote < 1 || remote > 65535 || local < 0 || local > 65535) {
            throw usage();
        }
        String path = "/ws/port-forward/" + leaseSegment(id) + "?port=" + remote;
        try (ServerSocket server = listen(local, parts.length == 2)) {
            out().println("Forwarding 127.0.0.1:" + server.getLocalPort() + " -> " + id + ":" + remote
                    + " (Ctrl-C to stop)");
            out().flush();
            while (true) {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().name("port-forward").start(() -> carry(client, path, socket));
            }
        } catch (IOException e) {
            throw new ClientFailure(
                    ClientFailure.REFUSED, null, "cannot listen on port " + local + ": " + e.getMessage());
        }
    }

    /** The local port asked for; without one asked (REMOTE alone), REMOTE when free, else any. */
    private static ServerSocket listen(int local, boolean asked) throws IOException {
        var server = new ServerSocket();
        server.setReuseAddress(true);
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), local));
        } catch (IOException taken) {
            if (asked) {
                server.close();
                throw taken;
            }
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        return server;
    }

    /** One local connection, both ways, over a WebSocket of its own; either end closing ends both. */
    private void carry(ServiceClient client, String path, Socket socket) {
        try (socket) {
            OutputStream toLocal = socket.getOutputStream();
            var ended = new CompletableFuture<Void>();
            WebSocket ws;
            try {
                ws = client.openSocket(
                        path,
                        new SocketListener() {
                            @Override
                            void text(String frame) {}

                            @Override
                            void binary(ByteBuffer data, boolean last) throws IOException {
                                byte[] bytes = new byte[data.remaining()];
                                data.get(bytes);
                                toLocal.write(bytes);
                                if (last) {
                                    toLocal.flush();
                                }
                            }

                            @Override
                            void disconnected(int code, String reason) {
                                if (code != 1000) {
                                    err().println("port-forward: "
                                            + (reason == null || reason.isEmpty() ? "closed " + code : reason));
                                    err().flush();
                                }
                                ended.complete(null);
                            }
                        },
                        "the port-forward");
            } catch (ClientFailure e) {
                err().println("port-forward: " + e.describe());
                err().flush();
                return;
            }
            Thread.ofVirtual().start(() -> {
                byte[] buffer = new byte[32 * 1024];
                try (InputStream fromLocal = socket.getInputStream()) {
                    for (int n; (n = fromLocal.read(buffer)) > 0; ) {
                        // One frame at a time: the next waits for this one to go (the server's pace).
                        ws.sendBinary(ByteBuffer.wrap(buffer, 0, n).slice().asReadOnlyBuffer(), true)
                                .join();
                    }
                } catch (IOException | RuntimeException e) {
                    // the local side or the socket went
                }
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
            });
            ended.join();
        } catch (IOException e) {
            // the local side went
        }
    }

    private static ClientFailure usage() {
        return new ClientFailure(
                ClientFailure.USAGE, null, "give [LOCAL:]REMOTE as ports from 1 to 65535, like 8000 or 5433:5432");
    }
}
