package io.containerlease.cli.client;

import java.io.PrintWriter;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Reads one of the service's WebSocket streams (logs, events) to its normal end. When following, a
 * dropped connection is made again, with backoff, from the position the caller keeps (the path is
 * asked for anew each time), so nothing is missed or read twice; a refusal is a {@link ClientFailure}.
 * An outage is said once when it begins and once when it ends, however many attempts it takes.
 */
final class ResumingStream {

    private final ServiceClient client;
    private final String what;
    private final PrintWriter err;

    /** @param what the stream as a person would name it ("the log stream"), for messages */
    ResumingStream(ServiceClient client, String what, PrintWriter err) {
        this.client = client;
        this.what = what;
        this.err = err;
    }

    private record Closed(int code, String reason) {}

    /**
     * Reads until the server closes the stream normally (or the client is interrupted).
     *
     * @param path     the path and query of the next connection
     * @param frame    receives each text frame, in order, on one thread
     * @param follow   reconnect after a drop (once a first connection was made)
     * @param notFound the message for a 4404 close
     */
    void read(Supplier<String> path, Consumer<String> frame, boolean follow, String notFound) {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5));
        boolean connectedOnce = false;
        boolean[] down = {false};
        while (true) {
            Closed closed;
            try {
                closed = once(path.get(), frame, () -> {
                    if (down[0]) {
                        err.println("(reconnected; following again)");
                        err.flush();
                        down[0] = false;
                    }
                    backoff.reset();
                });
                connectedOnce = true;
            } catch (ClientFailure failure) {
                if (!follow || !connectedOnce || failure.exitCode() != ClientFailure.UNREACHABLE) {
                    throw failure;
                }
                closed = new Closed(-1, failure.getMessage());
            }
            if (closed.code() == 1000) {
                return;
            }
            if (closed.code() >= 4400 && closed.code() < 4500) {
                throw new ClientFailure(
                        closed.code() == 4404 ? ClientFailure.NOT_FOUND : ClientFailure.REFUSED,
                        closed.reason(),
                        closed.code() == 4404 ? notFound : "the server refused: " + closed.reason());
            }
            if (!follow) {
                throw new ClientFailure(
                        ClientFailure.UNREACHABLE,
                        null,
                        what + " broke (" + closed.code() + " " + closed.reason() + ")");
            }
            Duration wait = backoff.next();
            if (!down[0]) {
                String why = closed.reason() == null || closed.reason().isBlank() ? "" : ": " + closed.reason();
                err.println("(connection lost" + why + "; reconnecting until the server is back)");
                err.flush();
                down[0] = true;
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One connection, until it closes; {@code opened} runs once it is made. */
    private Closed once(String path, Consumer<String> frame, Runnable opened) {
        CompletableFuture<Closed> closed = new CompletableFuture<>();
        Listener listener = new Listener(frame, closed);
        WebSocket socket = client.openSocket(path, listener, what);
        opened.run();
        try {
            return listener.heartbeat.await(
                    closed,
                    socket::abort,
                    new Closed(-1, "no word from the server for " + Heartbeat.DEAD_AFTER.toSeconds() + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.abort();
            return new Closed(1000, "interrupted");
        } catch (ExecutionException e) {
            return new Closed(-1, String.valueOf(e.getCause().getMessage()));
        }
    }

    private static final class Listener extends SocketListener {
        private final Consumer<String> frame;
        private final CompletableFuture<Closed> closed;

        Listener(Consumer<String> frame, CompletableFuture<Closed> closed) {
            this.frame = frame;
            this.closed = closed;
        }

        @Override
        void text(String text) {
            frame.accept(text);
        }

        @Override
        void disconnected(int code, String reason) {
            closed.complete(new Closed(code, reason));
        }
    }
}
