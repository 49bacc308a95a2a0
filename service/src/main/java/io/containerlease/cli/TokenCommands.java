package io.containerlease.cli;

import io.containerlease.auth.AdminToken;
import io.containerlease.auth.TokenRegistry;
import io.containerlease.auth.TokensFileEditor;
import io.containerlease.cli.client.ClientConfig;
import io.containerlease.config.ConfigException;
import io.containerlease.config.ServiceConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code token}: who may use the service, managed where the server runs, with its environment
 * (AUTH_TOKENS_FILE, DATA_DIR): no file is edited by hand. A running server reads the change within
 * seconds. A new token is printed once, on standard output (so {@code TOKEN=$(…)} works); only its
 * SHA-256 is written down.
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Create, revoke and rotate users' tokens (run where the server runs, with its environment).",
        subcommands = {
            TokenCommands.Create.class,
            TokenCommands.Revoke.class,
            TokenCommands.List_.class,
            TokenCommands.RotateAdmin.class
        },
        footer = {
            "",
            "Examples:",
            "  AUTH_TOKENS_FILE=tokens.yaml containerlease token create alice",
            "  containerlease token rotate-admin | containerlease login http://127.0.0.1:8080 --token-stdin"
        })
public final class TokenCommands implements Runnable {
    static final int EXIT_REFUSED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_NOT_FOUND = 4;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What the subcommands share: the server's configuration, where they print, how they fail. */
    abstract static class TokenCommand implements Callable<Integer> {
        /** The server's environment, which this command shares. */
        static final Map<String, String> environment = System.getenv();

        @Spec
        CommandSpec spec;

        @Override
        public final Integer call() {
            ServiceConfig config;
            try {
                config = ServiceConfig.fromEnvironment(environment);
            } catch (ConfigException e) {
                return fail(EXIT_USAGE, e.getMessage());
            }
            if (config.auth() == ServiceConfig.AuthMode.OFF) {
                return fail(EXIT_USAGE, "AUTH=off: this server has no users to manage");
            }
            try {
                return run(config);
            } catch (ConfigException e) {
                return fail(EXIT_REFUSED, e.getMessage());
            }
        }

        abstract int run(ServiceConfig config);

        /** The tokens file, or a failure saying how to have one. */
        Path tokensFile(ServiceConfig config) {
            return config.authTokensFile()
                    .orElseThrow(
                            () -> new ConfigException(
                                    "AUTH_TOKENS_FILE is not set: this server has one "
                                            + "admin (DATA_DIR/admin-token; 'token rotate-admin' renews it). To have users, set AUTH_TOKENS_FILE to a "
                                            + "file for both the server and this command ('token create' makes the file), and restart the server with it."));
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        int fail(int code, String message) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("error: " + message);
            err.flush();
            return code;
        }

        void note(String message) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(message);
            err.flush();
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Give USER a new token (printed once).",
            footer = {
                "",
                "Examples:",
                "  containerlease token create alice",
                "  containerlease token create ops --role admin",
                "  containerlease token create alice --replace        # her old tokens stop working"
            })
    static final class Create extends TokenCommand {
        @Parameters(index = "0", paramLabel = "USER")
        String user;

        @Option(
                names = "--role",
                paramLabel = "ROLE",
                description = "user (the default: their own leases) or admin (everyone's).")
        String role = "user";

        @Option(names = "--replace", description = "In place of the tokens USER has now (a rotation).")
        boolean replace;

        @Override
        int run(ServiceConfig config) {
            if (!role.equals("user") && !role.equals("admin")) {
                return fail(EXIT_USAGE, "--role is user or admin, not '" + role + "'");
            }
            Path file = tokensFile(config);
            String token = TokenRegistry.newToken(new SecureRandom());
            new TokensFileEditor(file).add(user, TokenRegistry.sha256(token), role.equals("admin"), replace);
            out().println(token);
            out().flush();
            note(user + "'s token (" + role + "), shown this once: " + file
                    + " keeps only its SHA-256. A running server" + " accepts it within seconds"
                    + (replace ? "; their earlier tokens no longer work." : "."));
            return 0;
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Take every token of USER away.",
            footer = {"", "Example:", "  containerlease token revoke alice"})
    static final class Revoke extends TokenCommand {
        @Parameters(index = "0", paramLabel = "USER")
        String user;

        @Override
        int run(ServiceConfig config) {
            Path file = tokensFile(config);
            int removed = new TokensFileEditor(file).revoke(user);
            if (removed == 0) {
                return fail(EXIT_NOT_FOUND, "no user " + user + " in " + file);
            }
            out().println("revoked " + removed + " token(s) of " + user
                    + "; a running server refuses them within seconds");
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "The users and their roles (never their tokens).",
            footer = {"", "Example:", "  containerlease token ls"})
    static final class List_ extends TokenCommand {
        @Override
        int run(ServiceConfig config) {
            Map<String, long[]> users = new java.util.LinkedHashMap<>();
            Map<String, Boolean> admins = new java.util.HashMap<>();
            for (TokenRegistry.Entry entry : new TokensFileEditor(tokensFile(config)).entries()) {
                users.computeIfAbsent(entry.user(), u -> new long[1])[0]++;
                admins.merge(entry.user(), entry.admin(), Boolean::logicalOr);
            }
            java.util.List<String[]> rows = new java.util.ArrayList<>();
            rows.add(new String[] {"USER", "ROLE", "TOKENS"});
            users.forEach((user, count) ->
                    rows.add(new String[] {user, admins.get(user) ? "admin" : "user", Long.toString(count[0])}));
            io.containerlease.cli.client.TextColumns.print(out(), rows);
            out().flush();
            return 0;
        }
    }

    @Command(
            name = "rotate-admin",
            mixinStandardHelpOptions = true,
            description =
                    "Replace the admin token in DATA_DIR/admin-token with a new one (printed once); the old one stops working.",
            footer = {
                "",
                "Example:",
                "  containerlease token rotate-admin",
                "",
                "With AUTH_TOKENS_FILE, give an admin a new token instead: token create USER --role admin --replace"
            })
    static final class RotateAdmin extends TokenCommand {
        @Override
        int run(ServiceConfig config) {
            if (config.authTokensFile().isPresent()) {
                return fail(
                        EXIT_USAGE,
                        "this server's users are in AUTH_TOKENS_FILE ("
                                + config.authTokensFile().get()
                                + "), not DATA_DIR/admin-token: 'token create USER --role admin --replace' gives an admin a new token");
            }
            String old = null;
            AdminToken.Loaded rotated;
            try {
                old = AdminToken.loadOrCreate(config.dataDir(), new SecureRandom())
                        .token();
                rotated = AdminToken.rotate(config.dataDir(), new SecureRandom());
            } catch (IOException e) {
                throw new ConfigException(
                        "cannot write the admin token in " + config.dataDir() + ": " + e.getMessage());
            }
            out().println(rotated.token());
            out().flush();
            note("the new admin token is in " + rotated.file()
                    + "; a running server refuses the old one within seconds.");
            signInAgain(old, rotated.token());
            return 0;
        }

        /** This user's own client, signed in with the old token, is signed in with the new one. */
        private void signInAgain(String old, String token) {
            ClientConfig client = new ClientConfig(environment);
            client.saved().filter(saved -> old.equals(saved.token())).ifPresent(saved -> {
                client.save(new ClientConfig.Saved(saved.url(), token));
                note("'containerlease login' for " + saved.url() + " now uses it.");
            });
        }
    }
}
