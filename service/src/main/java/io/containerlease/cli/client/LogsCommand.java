package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code logs}: a lease's output, as {@code docker logs} prints it (the container's stderr to stderr).
 * With {@code -f} it follows, and after a dropped connection resumes right after the last line it
 * printed, so nothing is missed or printed twice.
 */
@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        description = "Print a lease's output; -f keeps following it.",
        footer = {"", "Examples:", "  containerlease logs 01m8… --tail 50", "  containerlease logs 01m8… -f -t"})
public final class LogsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(
            names = {"-f", "--follow"},
            description = "Keep printing new lines until the lease ends (or Ctrl-C).")
    boolean follow;

    @Option(names = "--tail", paramLabel = "N", description = "Start with the last N lines (default: every line held).")
    Integer tail;

    @Option(
            names = {"-t", "--timestamps"},
            description = "Put each line's time before it.")
    boolean timestamps;

    /** The last line printed; a reconnect asks for what comes after it. */
    private long lastSeq = -1;

    private String endedReason;

    @Override
    protected int run(ServiceClient client) {
        new ResumingStream(client, "the log stream", err()).read(this::path, this::frame, follow, "no lease " + id);
        if (endedReason != null) {
            err().println("the lease has ended (" + endedReason + ")");
            err().flush();
        }
        return 0;
    }

    /** The next connection's path: from right after the last line printed, once there is one. */
    private String path() {
        String start = lastSeq >= 0 ? "after=" + lastSeq : tail != null ? "tail=" + tail : "";
        return "/ws/logs/" + leaseSegment(id) + "?batch=true" + (follow ? "" : "&follow=false")
                + (start.isEmpty() ? "" : "&" + start);
    }

    private void frame(String raw) {
        JsonNode frame = ServiceClient.parse(raw);
        if (frame.isNull()) {
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
            case "gap" ->
                err().println("(lines " + frame.path("from").asText() + " to "
                        + frame.path("to").asText() + " are no longer held)");
            case "dropped" ->
                err().println("(" + frame.path("count").asText() + " lines dropped: this client fell behind)");
            case "error" ->
                err().println("error: " + frame.path("message").asText() + " ("
                        + frame.path("code").asText() + ")");
            default -> {}
        }
        err().flush();
    }

    private void line(JsonNode line) {
        long seq = line.path("seq").asLong();
        if (seq <= lastSeq) {
            return; // never twice, whatever a resume brings
        }
        lastSeq = seq;
        String text = (timestamps ? line.path("timestamp").asText() + " " : "")
                + line.path("message").asText();
        (line.path("stream").asText().equals("stderr") ? err() : out()).println(text);
    }
}
