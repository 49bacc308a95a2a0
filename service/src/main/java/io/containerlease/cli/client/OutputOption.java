package io.containerlease.cli.client;

import picocli.CommandLine.Option;

/** {@code -o table|wide|json}, for every command that shows what the server answered. */
public final class OutputOption {
    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = "table (the default), wide (more columns, where there are) or json (the API's own JSON)")
    LeaseTable.Format format = LeaseTable.Format.table;
}
