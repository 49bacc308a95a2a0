package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The lease commands: images, provision, ls, get, extend, rm. */
public final class LeaseCommands {
    private LeaseCommands() {}

    @Command(
            name = "images",
            mixinStandardHelpOptions = true,
            description = "The image types you may lease.",
            footer = {"", "Examples:", "  containerlease images", "  containerlease images -o json"})
    public static final class Images extends ClientCommand {
        @Mixin
        OutputOption output;

        @Override
        protected int run(ServiceClient client) {
            JsonNode catalog = client.get("/api/catalog");
            show(output.format, catalog, () -> table(catalog));
            return 0;
        }

        private void table(JsonNode catalog) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"IMAGE", "READY", "DEFAULT", "TERMINAL", "MEMORY", "CPUS", "DESCRIPTION"});
            for (JsonNode type : catalog.path("imageTypes")) {
                boolean ready = type.path("available").asBoolean(true);
                rows.add(new String[] {
                    type.path("imageType").asText(),
                    ready ? "yes" : "no",
                    Durations.human(type.path("defaultDurationSeconds").asLong()),
                    type.path("terminal").asBoolean() ? "yes" : "no",
                    type.path("memoryMb").asText() + " MiB",
                    type.path("cpus").asText(),
                    ready
                            ? type.path("description").asText("")
                            : "unavailable: " + type.path("unavailableReason").asText("its image cannot be had")
                });
            }
            TextColumns.print(out(), rows);
        }
    }

    @Command(
            name = "provision",
            mixinStandardHelpOptions = true,
            description = "Lease a container; prints its id once it runs.",
            footer = {
                "",
                "Examples:",
                "  containerlease provision busybox            # for the image's default time",
                "  containerlease provision busybox --for 30m",
                "  id=$(containerlease provision busybox --for 2h --env GREETING=hi --idle 10m)",
                "  containerlease provision busybox --for 15m -o json"
            })
    public static final class Provision extends ClientCommand {
        @Parameters(index = "0", paramLabel = "IMAGE", description = "An image type (see 'containerlease images').")
        String imageType;

        @Option(
                names = "--for",
                paramLabel = "DURATION",
                converter = Durations.class,
                description = "How long: 30s, 15m, 2h, 1h30m (default: the image's, see 'containerlease images').")
        Duration duration;

        @Option(names = "--env", paramLabel = "NAME=VALUE", description = "An environment variable (repeatable).")
        Map<String, String> env = new LinkedHashMap<>();

        @Option(
                names = "--secret-env",
                paramLabel = "NAME=VALUE",
                description = "An environment variable kept out of logs (repeatable).")
        Map<String, String> secretEnv = new LinkedHashMap<>();

        @Option(
                names = "--grace",
                paramLabel = "DURATION",
                converter = Durations.class,
                description = "End the lease this long after its last connection closes.")
        Duration grace;

        @Option(
                names = "--idle",
                paramLabel = "DURATION",
                converter = Durations.class,
                description = "End the lease after this long without use.")
        Duration idle;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FORMAT",
                description = "id (default), table, wide or json")
        String output = "id";

        @Override
        protected int run(ServiceClient client) {
            if (duration == null) {
                duration = defaultDuration(client);
            }
            ObjectNode body =
                    JSON.createObjectNode().put("imageType", imageType).put("durationSeconds", duration.toSeconds());
            if (!env.isEmpty()) {
                body.set("env", JSON.valueToTree(env));
            }
            if (!secretEnv.isEmpty()) {
                body.set("secretEnv", JSON.valueToTree(secretEnv));
            }
            if (grace != null) {
                body.put("disconnectGraceSeconds", grace.toSeconds());
            }
            if (idle != null) {
                body.put("idleTimeoutSeconds", idle.toSeconds());
            }
            long t0 = System.nanoTime();
            if (System.console() != null) {
                err().print("Starting " + imageType + " for " + Durations.human(duration.toSeconds()) + "… ");
                err().flush();
            }
            JsonNode lease = client.post("/api/provision", body);
            if (System.console() != null) {
                err().printf("running after %.1f s%n", (System.nanoTime() - t0) / 1e9);
                err().flush();
            }
            switch (output) {
                case "json" -> printJson(lease);
                case "table", "wide" -> LeaseTable.print(out(), List.of(lease), output.equals("wide"));
                default -> out().println(lease.path("id").asText());
            }
            return 0;
        }

        /** The catalog's default for the image type, as the console offers it. */
        private Duration defaultDuration(ServiceClient client) {
            for (JsonNode type : client.get("/api/catalog").path("imageTypes")) {
                if (type.path("imageType").asText().equals(imageType)) {
                    return Duration.ofSeconds(
                            type.path("defaultDurationSeconds").asLong());
                }
            }
            throw new ClientFailure(
                    ClientFailure.REFUSED,
                    "unknown_image_type",
                    "there is no image type '" + imageType + "' you may lease; see 'containerlease images'");
        }
    }

    @Command(
            name = "ls",
            aliases = "ps",
            mixinStandardHelpOptions = true,
            description = "Your leases, with the time they have left ('ps' too, as docker ps).",
            footer = {
                "",
                "Examples:",
                "  containerlease ls",
                "  containerlease ls --all -o wide",
                "  containerlease ls -o json"
            })
    public static final class List_ extends ClientCommand {
        @Option(names = "--all", description = "Ended leases too.")
        boolean all;

        @Mixin
        OutputOption output;

        @Override
        protected int run(ServiceClient client) {
            List<JsonNode> leases = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page =
                        client.get("/api/containers?limit=500" + (all ? "&all=true" : "") + param("cursor", cursor));
                page.path("containers").forEach(leases::add);
                cursor = page.path("nextCursor").isTextual()
                        ? page.path("nextCursor").asText()
                        : null;
            } while (cursor != null);
            show(
                    output.format,
                    JSON.valueToTree(leases),
                    () -> LeaseTable.print(out(), leases, output.format == LeaseTable.Format.wide));
            return 0;
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = "One lease.",
            footer = {"", "Examples:", "  containerlease get 01m8…", "  containerlease get 01m8… -o json"})
    public static final class Get extends LeaseView {
        @Override
        String part() {
            return "";
        }

        @Override
        void table(JsonNode lease) {
            LeaseTable.print(out(), List.of(lease), output.format == LeaseTable.Format.wide);
        }
    }

    @Command(
            name = "extend",
            mixinStandardHelpOptions = true,
            description = "Give a lease more time (up to its cap).",
            footer = {"", "Example:", "  containerlease extend 01m8… 15m"})
    public static final class Extend extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(
                index = "1",
                paramLabel = "DURATION",
                converter = Durations.class,
                description = "How much more: 30s, 15m, 2h.")
        Duration more;

        @Override
        protected int run(ServiceClient client) {
            JsonNode lease = client.post(
                    leasePath(id) + "/extend", JSON.createObjectNode().put("durationSeconds", more.toSeconds()));
            HumanForm human = HumanForm.here();
            out().println(lease.path("id").asText() + " now ends at "
                    + human.local(lease.path("expiryTime").asText()) + " ("
                    + Durations.human(lease.path("remainingSeconds").asLong()) + " left)"
                    + (lease.path("clamped").asBoolean()
                            ? "; clamped to its cap, "
                                    + human.local(lease.path("maxExpiryTime").asText())
                            : ""));
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = "Release leases; their containers are removed.",
            footer = {
                "",
                "Examples:",
                "  containerlease rm 01m8…",
                "  containerlease rm $(containerlease ls -o json | jq -r '.[].id')"
            })
    public static final class Remove extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "ID")
        List<String> ids;

        @Override
        protected int run(ServiceClient client) {
            int worst = 0;
            for (String id : ids) {
                try {
                    client.delete(leasePath(id));
                    out().println(id);
                } catch (ClientFailure failure) {
                    err().println("error: " + id + ": " + failure.describe());
                    worst = Math.max(worst, failure.exitCode());
                    if (failure.exitCode() == ClientFailure.UNREACHABLE) {
                        break; // the rest would fail alike
                    }
                }
            }
            return worst;
        }
    }
}
