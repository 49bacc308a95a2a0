package io.containerlease.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code containerlease} command. Subcommands do the work; configuration comes from the environment. */
@Command(name = "containerlease", mixinStandardHelpOptions = true, version = "containerlease 0.1.0",
        description = "Leases Docker containers for a limited time and guarantees they go away.",
        subcommands = {ServeCommand.class, ReapCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
