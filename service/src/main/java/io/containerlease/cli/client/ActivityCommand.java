package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code activity}: who did what to which lease, newest first. */
@Command(
        name = "activity",
        mixinStandardHelpOptions = true,
        description = "The activity log, newest first: yours, or everyone's for an admin.",
        footer = {
            "",
            "Examples:",
            "  containerlease activity",
            "  containerlease activity --lease 01m8… -o json",
            "  containerlease activity --user alice --limit 200      (an admin)"
        })
public final class ActivityCommand extends ClientCommand {
    @Option(names = "--lease", paramLabel = "ID", description = "Only this lease's entries.")
    String leaseId;

    @Option(names = "--user", paramLabel = "USER", description = "Only this user's entries (admins).")
    String user;

    @Option(names = "--limit", paramLabel = "N", description = "How many entries, at most (default ${DEFAULT-VALUE}).")
    int limit = 50;

    @Mixin
    OutputOption output;

    @Override
    protected int run(ServiceClient client) {
        List<JsonNode> entries = new ArrayList<>();
        String cursor = null;
        do {
            int page = Math.min(500, limit - entries.size());
            JsonNode answer = client.get("/api/activity?limit=" + page + param("leaseId", leaseId) + param("user", user)
                    + param("cursor", cursor));
            answer.path("entries").forEach(entries::add);
            cursor = answer.path("nextCursor").isTextual()
                    ? answer.path("nextCursor").asText()
                    : null;
        } while (cursor != null && entries.size() < limit);
        show(output.format, JSON.valueToTree(entries), () -> table(entries));
        return 0;
    }

    private void table(List<JsonNode> entries) {
        List<String[]> rows = new ArrayList<>();
        rows.add(
                output.format == LeaseTable.Format.wide
                        ? new String[] {"AT", "USER", "ACTION", "LEASE", "OUTCOME", "CLIENT", "REASON"}
                        : new String[] {"AT", "USER", "ACTION", "LEASE", "OUTCOME", "REASON"});
        HumanForm human = HumanForm.here();
        for (JsonNode e : entries) {
            String at = human.local(e.path("at").asText());
            String lease = e.path("leaseId").asText("-");
            rows.add(
                    output.format == LeaseTable.Format.wide
                            ? new String[] {
                                at,
                                e.path("user").asText(),
                                e.path("action").asText(),
                                lease,
                                e.path("outcome").asText(),
                                e.path("client").asText("-"),
                                e.path("reason").asText("")
                            }
                            : new String[] {
                                at,
                                e.path("user").asText(),
                                e.path("action").asText(),
                                lease,
                                e.path("outcome").asText(),
                                e.path("reason").asText("")
                            });
        }
        TextColumns.print(out(), rows);
    }
}
