package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A lease container's files, seen and changed from here: list, remove, make a directory ({@code cp} moves them). */
public final class FilesCommands {
    private FilesCommands() {}

    @Command(
            name = "files",
            mixinStandardHelpOptions = true,
            description = "List, remove and make files in a lease's container ('containerlease cp' copies them).",
            subcommands = {Ls.class, Rm.class, Mkdir.class},
            footer = {
                "",
                "Examples:",
                "  containerlease files ls 01m8… /tmp",
                "  containerlease files mkdir 01m8… /work/data",
                "  containerlease files rm 01m8… /tmp/old.log"
            })
    public static final class Files implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = {
                "List a directory in a lease's container (a file: itself), directories first.",
                "Links are shown with what they point to, never followed."
            },
            footer = {"", "Examples:", "  containerlease files ls 01m8… /etc", "  containerlease files ls 01m8… -o json"
            })
    public static final class Ls extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(
                index = "1",
                paramLabel = "PATH",
                defaultValue = ".",
                description = "Default: the working directory.")
        String path;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FORMAT",
                description = "table (the default) or json")
        LeaseTable.Format output = LeaseTable.Format.table;

        @Override
        protected int run(ServiceClient client) {
            JsonNode listing = client.get(leasePath(id) + "/files/list?path=" + encoded(path));
            show(output, listing, () -> {
                HumanForm human = HumanForm.here();
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"MODE", "SIZE", "MODIFIED", "NAME"});
                for (JsonNode entry : listing.path("entries")) {
                    String type = entry.path("type").asText();
                    String name = entry.path("name").asText() + (type.equals("directory") ? "/" : "");
                    if (entry.has("linkTarget")) {
                        name += " -> " + entry.path("linkTarget").asText();
                    }
                    rows.add(new String[] {
                        permissions(type, entry.path("mode").asText()),
                        type.equals("file") ? Progress.size(entry.path("size").asLong()) : "",
                        human.local(entry.path("modified").asText()),
                        name
                    });
                }
                TextColumns.print(out(), rows);
                if (listing.path("truncated").asBoolean()) {
                    err().println("(only the first " + (rows.size() - 1) + " entries are shown)");
                }
            });
            return 0;
        }
    }

    /** {@code drwxr-xr-x}, as {@code ls -l} shows a type and its octal mode. */
    static String permissions(String type, String octal) {
        char kind = switch (type) {
            case "directory" -> 'd';
            case "symlink" -> 'l';
            case "file" -> '-';
            default -> '?';
        };
        int mode;
        try {
            mode = Integer.parseInt(octal, 8);
        } catch (NumberFormatException e) {
            return kind + octal;
        }
        StringBuilder out = new StringBuilder().append(kind);
        String letters = "rwxrwxrwx";
        for (int bit = 8; bit >= 0; bit--) {
            out.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
        }
        return out.toString();
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = "Remove a file, a link (not what it points to) or a directory with everything in it.",
            footer = {"", "Example:", "  containerlease files rm 01m8… /tmp/build"})
    public static final class Rm extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "PATH")
        String path;

        @Override
        protected int run(ServiceClient client) {
            client.delete(leasePath(id) + "/files?path=" + encoded(path));
            return 0;
        }
    }

    @Command(
            name = "mkdir",
            mixinStandardHelpOptions = true,
            description = "Make a directory (and its missing parents) in a lease's container.",
            footer = {"", "Example:", "  containerlease files mkdir 01m8… /work/data"})
    public static final class Mkdir extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "PATH")
        String path;

        @Override
        protected int run(ServiceClient client) {
            client.post(leasePath(id) + "/files/directories?path=" + encoded(path), null);
            return 0;
        }
    }
}
