package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The program inside a lease's container: messages over its channel, and its code, pushed and rolled back. */
public final class ProgramCommands {
    private ProgramCommands() {}

    @Command(
            name = "send",
            mixinStandardHelpOptions = true,
            description = {
                "Send a message to the program in a lease's container and print its reply.",
                "PAYLOAD is JSON, or else sent as a string; - reads it from standard input."
            },
            footer = {
                "",
                "Examples:",
                "  containerlease send 01m8… '{\"hello\": \"world\"}'",
                "  containerlease send 01m8… reload --type command --no-reply",
                "  jq -n '{task: 42}' | containerlease send 01m8… - --timeout 30s"
            })
    public static final class Send extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "PAYLOAD")
        String payload;

        @Option(names = "--type", paramLabel = "TYPE", description = "The message's type (default: request).")
        String type;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                converter = Durations.class,
                description = "How long to wait for the reply (default 5s, at most 60s).")
        Duration timeout;

        @Option(names = "--no-reply", description = "Do not wait for a reply.")
        boolean noReply;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FORMAT",
                description = "payload (the default: the reply's payload) or json (the whole answer)")
        String format = "payload";

        @Override
        protected int run(ServiceClient client) {
            ObjectNode body = JSON.createObjectNode();
            body.set("payload", payload());
            if (type != null) {
                body.put("type", type);
            }
            if (timeout != null) {
                body.put("timeoutMs", timeout.toMillis());
            }
            if (noReply) {
                body.put("reply", false);
            }
            JsonNode answer = client.post(leasePath(id) + "/messages", body);
            if (format.equals("json")) {
                printJson(answer);
            } else if (answer.has("reply")) {
                JsonNode reply = answer.at("/reply/payload");
                out().println(reply.isTextual() ? reply.asText() : reply.toString());
            } else {
                out().println("sent");
            }
            return 0;
        }

        private JsonNode payload() {
            String text;
            try {
                text = payload.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : payload;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                return JSON.readTree(text);
            } catch (IOException notJson) {
                return JSON.getNodeFactory().textNode(text); // a word, a sentence: sent as the string it is
            }
        }
    }

    @Command(
            name = "channel",
            mixinStandardHelpOptions = true,
            description = "Whether the program in a lease's container listens, and what went through.",
            footer = {"", "Example:", "  containerlease channel 01m8…"})
    public static final class Channel extends LeaseView {
        @Override
        String part() {
            return "/channel";
        }

        @Override
        void table(JsonNode channel) {
            TextColumns.print(
                    out(),
                    List.of(
                            new String[] {"CONNECTED", "SINCE", "SENT", "RECEIVED", "PENDING", "LAST ERROR"},
                            new String[] {
                                channel.path("connected").asText(),
                                channel.path("since").asText("-"),
                                channel.path("sent").asText(),
                                channel.path("received").asText(),
                                channel.path("pending").asText(),
                                channel.path("lastError").asText("-")
                            }));
        }
    }

    @Command(
            name = "code",
            mixinStandardHelpOptions = true,
            description = "Push code into a lease's program, list its versions, roll back.",
            subcommands = {Push.class, Versions.class, Rollback.class},
            footer = {
                "",
                "Examples:",
                "  containerlease code push 01m8… ./app",
                "  containerlease code ls 01m8…",
                "  containerlease code rollback 01m8… 1"
            })
    public static final class Code implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    /** Says what became of a version: active (0), or rolled back with the reason (1, so a script's deploy fails). */
    abstract static class CodeCommand extends ClientCommand {
        int outcome(JsonNode answer) {
            String version = "version " + answer.path("version").asText();
            if (answer.path("status").asText().equals("active")) {
                out().println(version + ": active");
                return 0;
            }
            err().println(version + ": " + answer.path("status").asText() + " ("
                    + answer.path("reason").asText("no reason given") + ")");
            return ClientFailure.REFUSED;
        }
    }

    @Command(
            name = "push",
            mixinStandardHelpOptions = true,
            description = {
                "Install a new version of the program's code: a directory (packed for you) or a .tar.gz.",
                "It must pass the health check, or the version before comes back."
            },
            footer = {
                "",
                "Examples:",
                "  containerlease code push 01m8… ./app",
                "  containerlease code push 01m8… app-v2.tar.gz"
            })
    public static final class Push extends CodeCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "PATH")
        Path path;

        @Override
        protected int run(ServiceClient client) {
            byte[] archive;
            try {
                archive = Files.isDirectory(path) ? CodeArchives.pack(path) : Files.readAllBytes(path);
            } catch (IOException e) {
                throw new ClientFailure(ClientFailure.USAGE, null, "cannot read " + path + ": " + e.getMessage());
            }
            return outcome(client.put(leasePath(id) + "/code", archive, "application/gzip"));
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "The versions of a lease's code, the active one marked.",
            footer = {"", "Example:", "  containerlease code ls 01m8…"})
    public static final class Versions extends LeaseView {
        @Override
        String part() {
            return "/code";
        }

        @Override
        void table(JsonNode code) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"VERSION", "STATUS", "INSTALLED", "ORIGIN", "SIZE", "KEPT"});
            HumanForm human = HumanForm.here();
            for (JsonNode v : code.path("versions")) {
                boolean active =
                        v.path("version").asLong() == code.path("active").asLong(-1);
                rows.add(new String[] {
                    v.path("version").asText() + (active ? " *" : ""),
                    v.path("status").asText(),
                    human.ago(v.path("at").asText()),
                    v.path("origin").asText(),
                    HumanForm.size(v.path("bytes").asLong()),
                    v.path("kept").asBoolean() ? "yes" : "no"
                });
            }
            TextColumns.print(out(), rows);
        }
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description = "Install a kept version of a lease's code again.",
            footer = {"", "Example:", "  containerlease code rollback 01m8… 1"})
    public static final class Rollback extends CodeCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "VERSION")
        long version;

        @Override
        protected int run(ServiceClient client) {
            return outcome(client.post(
                    leasePath(id) + "/code/rollback", JSON.createObjectNode().put("version", version)));
        }
    }

    /** A directory as the .tar.gz the service installs: its contents at the archive's root, modes kept. */
    static final class CodeArchives {
        private CodeArchives() {}

        static byte[] pack(Path dir) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes));
                    var paths = Files.walk(dir)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (Path p : paths.sorted().toList()) {
                    if (p.equals(dir)) {
                        continue;
                    }
                    String name = dir.relativize(p).toString().replace('\\', '/');
                    if (Files.isSymbolicLink(p)) {
                        TarArchiveEntry link = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                        link.setLinkName(Files.readSymbolicLink(p).toString());
                        tar.putArchiveEntry(link);
                        tar.closeArchiveEntry();
                    } else if (Files.isDirectory(p) || Files.isRegularFile(p)) {
                        TarArchiveEntry entry = new TarArchiveEntry(
                                p,
                                name,
                                java.nio.file.LinkOption.NOFOLLOW_LINKS); // with its mode (an executable stays one)
                        tar.putArchiveEntry(entry);
                        if (Files.isRegularFile(p)) {
                            Files.copy(p, tar);
                        }
                        tar.closeArchiveEntry();
                    }
                }
            }
            return bytes.toByteArray();
        }
    }
}
