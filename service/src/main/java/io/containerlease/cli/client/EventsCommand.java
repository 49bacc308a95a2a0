package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code events}: what happened to leases and their containers, one line per event. Without
 * {@code -f} the events the service still holds; with it, new ones as they happen, coming back after
 * a dropped connection right after the last one printed.
 */
@Command(
        name = "events",
        mixinStandardHelpOptions = true,
        description = "Print lease and container events: those held, or with -f the new ones as they happen.",
        footer = {
            "",
            "Examples:",
            "  containerlease events --lease 01m8…",
            "  containerlease events -f --type lease.ended --type container.state",
            "  containerlease events -f -o json | jq .type          (one JSON object per line)"
        })
public final class EventsCommand extends ClientCommand {
    @Option(
            names = {"-f", "--follow"},
            description = "Print new events as they happen, until Ctrl-C.")
    boolean follow;

    @Option(names = "--lease", paramLabel = "ID", description = "Only this lease's events.")
    String leaseId;

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            split = ",",
            description = "Only events of these types (lease.running, container.state, …).")
    List<String> types = new ArrayList<>();

    @Option(names = "--user", paramLabel = "USER", description = "Only this user's events (admins).")
    String user;

    @Option(
            names = "--since",
            paramLabel = "EVENT_ID",
            description = "Start after this event id (default: every event held, or with -f only new ones).")
    Long since;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = "line (the default) or json (the API's own JSON, one object per line)")
    Format format = Format.line;

    enum Format {
        line,
        json
    }

    /** The last event printed; a reconnect asks for what comes after it. */
    private long lastId = -1;

    @Override
    protected int run(ServiceClient client) {
        if (since != null) {
            lastId = since;
        } else if (!follow) {
            lastId = 0; // everything held
        }
        new ResumingStream(client, "the event stream", err())
                .read(this::path, this::frame, follow, "no lease " + leaseId);
        return 0;
    }

    private String path() {
        StringBuilder path = new StringBuilder("/ws/events?follow=" + follow);
        if (lastId >= 0) {
            path.append("&after=").append(lastId);
        }
        return path
                + param("leaseId", leaseId)
                + param("user", user)
                + param("types", types.isEmpty() ? null : String.join(",", types));
    }

    private void frame(String raw) {
        JsonNode frame = ServiceClient.parse(raw);
        if (frame.isNull()) {
            return;
        }
        switch (frame.path("type").asText()) {
            case "subscribed" -> {}
            case "gap" ->
                err().println("(events " + frame.path("from").asText() + " to "
                        + frame.path("to").asText() + " are no longer held)");
            case "dropped" ->
                err().println("(" + frame.path("count").asText() + " events dropped: this client fell behind)");
            case "error" ->
                err().println("error: " + frame.path("message").asText() + " ("
                        + frame.path("code").asText() + ")");
            default -> event(frame, raw);
        }
        err().flush();
    }

    private void event(JsonNode event, String raw) {
        long id = event.path("id").asLong(-1);
        if (id >= 0 && id <= lastId) {
            return; // never twice, whatever a resume brings
        }
        if (id >= 0) {
            lastId = id;
        }
        out().println(format == Format.json ? raw : line(event));
        out().flush();
    }

    /** {@code AT TYPE LEASE key=value…}, as {@code docker events} prints them. */
    static String line(JsonNode event) {
        StringBuilder line = new StringBuilder(
                        HumanForm.here().local(event.path("at").asText()))
                .append(' ')
                .append(event.path("type").asText())
                .append(' ')
                .append(event.path("leaseId").asText("-"));
        if (event.hasNonNull("user")) {
            line.append(" user=").append(event.path("user").asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = event.path("data").fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            line.append(' ')
                    .append(field.getKey())
                    .append('=')
                    .append(value.isValueNode() ? value.asText() : value.toString());
        }
        return line.toString();
    }
}
