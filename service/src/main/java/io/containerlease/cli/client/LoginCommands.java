package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code login} and {@code logout}: the server and token the other commands use. */
public final class LoginCommands {
    private LoginCommands() {}

    @Command(
            name = "login",
            mixinStandardHelpOptions = true,
            description = "Remember a server and your token (checked with the server first).",
            footer = {
                "",
                "Examples:",
                "  containerlease login http://localhost:8080          (asks for the token)",
                "  echo \"$TOKEN\" | containerlease login https://leases.example.com --token-stdin",
                "",
                "Saved in $XDG_CONFIG_HOME/containerlease/config (mode 0600); CONTAINERLEASE_URL and",
                "CONTAINERLEASE_TOKEN override it."
            })
    public static final class Login extends ClientCommand {
        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "URL",
                description = "The server (default: the one saved, or CONTAINERLEASE_URL).")
        String url;

        @Option(names = "--token-stdin", description = "Read the token from standard input instead of asking.")
        boolean tokenStdin;

        @Override
        protected ServiceClient client() {
            ClientConfig config = new ClientConfig(environment);
            String server = url != null ? url.replaceAll("/+$", "") : config.url();
            token = readToken();
            return new ServiceClient(server, Optional.of(token).filter(t -> !t.isBlank()));
        }

        @Override
        protected int run(ServiceClient client) {
            JsonNode me = client.get("/api/me");
            new ClientConfig(environment).save(new ClientConfig.Saved(client.url(), token));
            out().println("Logged in to " + client.url() + " as "
                    + me.path("user").asText() + (me.path("admin").asBoolean() ? " (admin)" : ""));
            return 0;
        }

        /** What the user gave (empty for a server without tokens). */
        private String token = "";

        private String readToken() {
            java.io.Console console = System.console();
            if (!tokenStdin && console != null) {
                char[] typed = console.readPassword("Token (empty for a server without tokens): ");
                return typed == null ? "" : new String(typed).trim();
            }
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                return line == null ? "" : line.trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(
            name = "logout",
            mixinStandardHelpOptions = true,
            description = "Forget the saved server and token.",
            footer = {"", "Example:", "  containerlease logout"})
    public static final class Logout extends ClientCommand {
        @Override
        protected ServiceClient client() {
            return null; // nothing to ask a server
        }

        @Override
        protected int run(ServiceClient client) {
            boolean had = new ClientConfig(environment).forget();
            out().println(had ? "Logged out." : "Not logged in.");
            return 0;
        }
    }

    @Command(
            name = "whoami",
            mixinStandardHelpOptions = true,
            description = "Say which server and user this client talks to.",
            footer = {"", "Example:", "  containerlease whoami"})
    public static final class WhoAmI extends ClientCommand {
        @Override
        protected int run(ServiceClient client) {
            JsonNode me = client.get("/api/me");
            out().println(me.path("user").asText() + (me.path("admin").asBoolean() ? " (admin)" : "") + " at "
                    + client.url());
            if (me.has("cluster")) {
                out().println("cluster " + me.path("cluster").asText() + ", server "
                        + me.path("server").asText());
            }
            return 0;
        }
    }
}
