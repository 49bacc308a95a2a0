package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sessions}: the shells open in a lease's container (to go back to one, or end it), as the console's tabs show them. */
@Command(
        name = "sessions",
        mixinStandardHelpOptions = true,
        description = "List a lease's shells, or end one with --end.",
        footer = {
            "",
            "Examples:",
            "  containerlease sessions 01m8…",
            "  containerlease shell 01m8… --session 3f9c…        # back to one of them",
            "  containerlease sessions 01m8… --end 3f9c…"
        })
public final class SessionsCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--end", paramLabel = "SESSION", description = "End this shell (whoever is attached sees it exit).")
    String end;

    @Mixin
    OutputOption output;

    @Override
    protected int run(ServiceClient client) {
        if (end != null) {
            client.delete(leasePath(id) + "/sessions/" + encoded(end));
            out().println(end + ": ended");
            return 0;
        }
        JsonNode answer = client.get(leasePath(id) + "/sessions");
        show(output.format, answer, () -> table(answer.path("sessions")));
        return 0;
    }

    private void table(JsonNode sessions) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SESSION", "CREATED", "ATTACHED", "UNATTENDED SINCE", "OUTPUT"});
        HumanForm human = HumanForm.here();
        for (JsonNode s : sessions) {
            rows.add(new String[] {
                s.path("sessionId").asText(),
                human.ago(s.path("createdAt").asText()),
                s.path("attached").asText(),
                s.path("unattendedSince").isTextual()
                        ? human.ago(s.path("unattendedSince").asText())
                        : "-",
                HumanForm.size(s.path("offset").asLong())
            });
        }
        TextColumns.print(out(), rows);
    }
}
