package io.containerlease.cli;

import io.containerlease.cli.client.ActivityCommand;
import io.containerlease.cli.client.ClientCommand;
import io.containerlease.cli.client.ClientFailure;
import io.containerlease.cli.client.CopyCommand;
import io.containerlease.cli.client.EventsCommand;
import io.containerlease.cli.client.ExecCommand;
import io.containerlease.cli.client.FilesCommands;
import io.containerlease.cli.client.LeaseCommands;
import io.containerlease.cli.client.LoginCommands;
import io.containerlease.cli.client.LogsCommand;
import io.containerlease.cli.client.OpenCommand;
import io.containerlease.cli.client.PortForwardCommand;
import io.containerlease.cli.client.ProgramCommands;
import io.containerlease.cli.client.SessionsCommand;
import io.containerlease.cli.client.ShellCommand;
import io.containerlease.cli.client.WorkloadCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code containerlease} command. Subcommands do the work; configuration comes from the environment. */
@Command(
        name = "containerlease",
        mixinStandardHelpOptions = true,
        version = "containerlease 0.1.0",
        description = "Leases Docker containers for a limited time and guarantees they go away.",
        // In the order a newcomer meets them: signing in, leases, living in one, its container, then running the
        // service.
        subcommands = {
            LoginCommands.Login.class,
            LoginCommands.Logout.class,
            LoginCommands.WhoAmI.class,
            LeaseCommands.Images.class,
            LeaseCommands.Provision.class,
            LeaseCommands.List_.class,
            LeaseCommands.Get.class,
            LeaseCommands.Extend.class,
            LeaseCommands.Remove.class,
            LogsCommand.class,
            ShellCommand.class,
            ExecCommand.class,
            CopyCommand.class,
            FilesCommands.Files.class,
            OpenCommand.class,
            PortForwardCommand.class,
            SessionsCommand.class,
            EventsCommand.class,
            ActivityCommand.class,
            ProgramCommands.Send.class,
            ProgramCommands.Channel.class,
            ProgramCommands.Code.class,
            WorkloadCommands.Stop.class,
            WorkloadCommands.Start.class,
            WorkloadCommands.Restart.class,
            WorkloadCommands.Pause.class,
            WorkloadCommands.Unpause.class,
            WorkloadCommands.Stats.class,
            ServeCommand.class,
            TokenCommands.class,
            ReapCommand.class,
            picocli.AutoComplete.GenerateCompletion.class
        },
        footer = {
            "",
            "Exit codes: 0 done, 1 the server refused (its message and code are printed),",
            "2 usage, 3 cannot connect, 4 not found. 'containerlease COMMAND --help' has examples."
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main())
                .setExecutionExceptionHandler(ClientCommand.FAILURES)
                .setParameterExceptionHandler(Main::usageError)
                .execute(args));
    }

    /**
     * A mistake on the command line: one line saying what, picocli's "did you mean" when it has one,
     * and where the help is; not the whole help, which buries the line that matters.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        java.io.PrintWriter err = command.getErr();
        err.println(name + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("see '" + name + " --help'");
        err.flush();
        return ClientFailure.USAGE;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
