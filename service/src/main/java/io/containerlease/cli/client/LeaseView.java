package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** A command that shows one thing about a lease: the server's JSON with {@code -o json}, else a table of it. */
abstract class LeaseView extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Mixin
    OutputOption output;

    /** What of the lease, as a path below it ("" for the lease itself, "/stats", …). */
    abstract String part();

    abstract void table(JsonNode shown);

    @Override
    protected int run(ServiceClient client) {
        JsonNode shown = client.get(leasePath(id) + part());
        show(output.format, shown, () -> table(shown));
        return 0;
    }
}
