package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code containerlease open ID PORT}: a link that opens the web app on a port inside a lease, in a browser. */
@Command(
        name = "open",
        mixinStandardHelpOptions = true,
        description = {
            "Print a link that opens the web app on PORT inside a lease's container in a browser.",
            "The link works for a minute; opening it signs that browser in to this preview alone, until the lease ends."
        },
        footer = {
            "",
            "Examples:",
            "  containerlease open 01m8… 8000",
            "  containerlease open 01m8… 8888 --path /lab --browser"
        })
public final class OpenCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "PORT", description = "The port the app listens on inside the container.")
    int port;

    @Option(names = "--path", paramLabel = "PATH", description = "Where to land on the app (default /).")
    String path;

    @Option(names = "--browser", description = "Open the link in this machine's browser (xdg-open) too.")
    boolean browser;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = "url (the default: the link alone) or json")
    String format = "url";

    @Override
    protected int run(ServiceClient client) {
        if (port < 1 || port > 65535) {
            throw new ClientFailure(ClientFailure.USAGE, null, "PORT is from 1 to 65535");
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("port", port);
        if (path != null) {
            body.put("path", path);
        }
        JsonNode link = client.post(leasePath(id) + "/previews", body);
        if (format.equals("json")) {
            printJson(link);
        } else {
            out().println(link.path("url").asText());
        }
        if (browser) {
            try {
                new ProcessBuilder("xdg-open", link.path("url").asText())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (java.io.IOException e) {
                err().println("could not start a browser (xdg-open): open the link above yourself");
            }
        }
        return 0;
    }
}
