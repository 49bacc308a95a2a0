package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code logs}: a lease's output, as {@code docker logs} prints it (the container's stderr to stderr).
 * With {@code -f} it follows, and after a dropped connection resumes right after the last line it
 * printed, so nothing is missed or printed twice.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a lease's output; -f keeps following it.",
        footer = {"", "Examples:", "  containerlease logs 01m8… --tail 50", "  containerlease logs 01m8… -f -t"})
public final class LogsCommand extends ClientCommand {
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until the lease ends (or Ctrl-C).")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", description = "Start with the last N lines (default: every line held).")
    Integer tail;

    @Option(names = {"-t", "--timestamps"}, description = "Put each line's time before it.")
    boolean timestamps;

    /** The last line printed; a reconnect asks for what comes after it. */
    private long lastSeq = -1;
    private String endedReason;

    @Override
    protected int run(ServiceClient client) {
        Duration backoff = Duration.ofMillis(500);
        while (true) {
            Closed closed;
            try {
                closed = stream(client);
            } catch (ClientFailure unreachable) {
                if (!follow || lastSeq < 0) {
                    throw unreachable;
                }
                closed = new Closed(-1, unreachable.getMessage());
            }
            if (closed.code() == 1000) {
                if (endedReason != null) {
                    err().println("the lease has ended (" + endedReason + ")");
                    err().flush();
                }
                return 0;
            }
            if (closed.code() >= 4400 && closed.code() < 4500) {
                throw new ClientFailure(closed.code() == 4404 ? ClientFailure.NOT_FOUND : ClientFailure.REFUSED, closed.reason(),
                        closed.code() == 4404 ? "no lease " + id : "the server refused: " + closed.reason());
            }
            if (!follow) {
                throw new ClientFailure(ClientFailure.UNREACHABLE, null, "the log stream broke (" + closed.code() + " " + closed.reason() + ")");
            }
            err().println("(connection lost; reconnecting in " + backoff.toMillis() + " ms)");
            err().flush();
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private record Closed(int code, String reason) {}

    /** One connection, until it closes: prints every line it brings. */
    private Closed stream(ServiceClient client) {
        String start = lastSeq >= 0 ? "after=" + lastSeq : tail != null ? "tail=" + tail : "";
        String path = "/ws/logs/" + encoded(id) + "?batch=true" + (follow ? "" : "&follow=false") + (start.isEmpty() ? "" : "&" + start);
        CompletableFuture<Closed> closed = new CompletableFuture<>();
        WebSocket socket = client.openSocket(path, new Listener(closed), "the log stream");
        try {
            return closed.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.abort();
            return new Closed(1000, "interrupted");
        } catch (ExecutionException e) {
            return new Closed(-1, String.valueOf(e.getCause().getMessage()));
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final CompletableFuture<Closed> closed;
        private final StringBuilder text = new StringBuilder();

        Listener(CompletableFuture<Closed> closed) {
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frame(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        private void frame(String raw) {
            JsonNode frame;
            try {
                frame = JSON.readTree(raw);
            } catch (IOException e) {
                return;
            }
            if (frame.isArray()) {
                frame.forEach(this::line);
                out().flush();
                err().flush();
                return;
            }
            switch (frame.path("type").asText()) {
                case "ended" -> endedReason = frame.path("reason").asText();
                case "gap" -> err().println("(lines " + frame.path("from").asText() + " to " + frame.path("to").asText() + " are no longer held)");
                case "dropped" -> err().println("(" + frame.path("count").asText() + " lines dropped: this client fell behind)");
                case "error" -> err().println("error: " + frame.path("message").asText() + " (" + frame.path("code").asText() + ")");
                default -> { }
            }
            err().flush();
        }

        private void line(JsonNode line) {
            long seq = line.path("seq").asLong();
            if (seq <= lastSeq) {
                return; // never twice, whatever a resume brings
            }
            lastSeq = seq;
            String text = (timestamps ? line.path("timestamp").asText() + " " : "") + line.path("message").asText();
            (line.path("level").asText().equals("error") ? err() : out()).println(text);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(new Closed(-1, String.valueOf(error.getMessage())));
        }
    }
}
