package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Leases as a table ({@code -o table}, or {@code wide} with more columns): columns sized to their widest cell. */
final class LeaseTable {
    private LeaseTable() {}

    enum Format {
        table,
        wide,
        json
    }

    static void print(PrintWriter out, List<JsonNode> leases, boolean wide) {
        List<String[]> rows = new ArrayList<>();
        rows.add(
                wide
                        ? new String[] {
                            "ID", "IMAGE", "STATUS", "CONTAINER", "REMAINING", "EXPIRES", "CONNECTIONS", "CREATED"
                        }
                        : new String[] {"ID", "IMAGE", "STATUS", "CONTAINER", "REMAINING"});
        HumanForm human = HumanForm.here();
        for (JsonNode lease : leases) {
            String status = lease.path("status").asText()
                    + (lease.has("endReason") ? " (" + lease.path("endReason").asText() + ")" : "");
            String container = lease.at("/container/state").asText("-");
            String remaining = lease.path("status").asText().equals("running")
                            || lease.path("status").asText().equals("provisioning")
                    ? Durations.human(lease.path("remainingSeconds").asLong())
                    : "-";
            rows.add(
                    wide
                            ? new String[] {
                                lease.path("id").asText(),
                                lease.path("imageType").asText(),
                                status,
                                container,
                                remaining,
                                human.local(lease.path("expiryTime").asText()),
                                Integer.toString(lease.path("connections").asInt()),
                                human.ago(lease.path("createdAt").asText())
                            }
                            : new String[] {
                                lease.path("id").asText(),
                                lease.path("imageType").asText(),
                                status,
                                container,
                                remaining
                            });
        }
        TextColumns.print(out, rows);
    }
}
