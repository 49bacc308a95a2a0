package io.containerlease.cli;

import io.containerlease.cli.client.ActivityCommand;
import io.containerlease.cli.client.ClientCommand;
import io.containerlease.cli.client.EventsCommand;
import io.containerlease.cli.client.LeaseCommands;
import io.containerlease.cli.client.LoginCommands;
import io.containerlease.cli.client.LogsCommand;
import io.containerlease.cli.client.ShellCommand;
import io.containerlease.cli.client.WorkloadCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code containerlease} command. Subcommands do the work; configuration comes from the environment. */
@Command(name = "containerlease", mixinStandardHelpOptions = true, version = "containerlease 0.1.0",
        description = "Leases Docker containers for a limited time and guarantees they go away.",
        subcommands = {ServeCommand.class, ReapCommand.class,
                LoginCommands.Login.class, LoginCommands.Logout.class, LeaseCommands.Images.class, LeaseCommands.Provision.class,
                LeaseCommands.List_.class, LeaseCommands.Get.class, LeaseCommands.Extend.class, LeaseCommands.Remove.class,
                WorkloadCommands.Stop.class, WorkloadCommands.Start.class, WorkloadCommands.Restart.class,
                WorkloadCommands.Pause.class, WorkloadCommands.Unpause.class, WorkloadCommands.Stats.class, ActivityCommand.class, LogsCommand.class, ShellCommand.class, EventsCommand.class,
                picocli.AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 done, 1 the server refused (its message and code are printed), 2 usage,",
                "3 cannot connect, 4 not found."})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setExecutionExceptionHandler(ClientCommand.FAILURES).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
