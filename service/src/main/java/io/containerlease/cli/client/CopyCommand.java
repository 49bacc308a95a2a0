package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code containerlease cp SRC DST}, as {@code docker cp} and {@code kubectl cp}: one side is
 * {@code ID:PATH} in a lease's container, the other a local path or {@code -} (a tar on standard
 * input or output). A directory travels as a tar; a download is written beside its destination and
 * moved into place once whole, so a broken one leaves nothing half-written.
 */
@Command(
        name = "cp",
        mixinStandardHelpOptions = true,
        description = {
            "Copy files and directories between a lease's container and this machine.",
            "One of SRC and DST is ID:PATH (a path in the lease's container); the other is a local path, or - for a",
            "tar on standard input (SRC) or output (DST). Copying into an existing directory puts the source inside it;",
            "otherwise the destination is made with the source's contents. Progress shows on a terminal."
        },
        footer = {
            "",
            "Examples:",
            "  containerlease cp ./app.py 01m8…:/tmp/              # a file into a directory",
            "  containerlease cp ./project 01m8…:/work            # a directory (made, or copied into)",
            "  containerlease cp 01m8…:/var/log/app.log .         # a file out",
            "  containerlease cp 01m8…:/etc - | tar t             # a directory as a tar on standard output",
            "  tar c data | containerlease cp - 01m8…:/tmp        # a tar unpacked into a directory"
        })
public final class CopyCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "SRC")
    String source;

    @Parameters(index = "1", paramLabel = "DST")
    String destination;

    /** {@code ID:PATH}, or null for a local path. */
    record Remote(String id, String path) {
        static Remote parse(String spec) {
            int colon = spec.indexOf(':');
            if (colon <= 0 || !io.containerlease.lease.LeaseId.isValid(spec.substring(0, colon))) {
                return null;
            }
            String path = spec.substring(colon + 1);
            return new Remote(spec.substring(0, colon), path.isEmpty() ? "." : path);
        }
    }

    @Override
    protected int run(ServiceClient client) {
        Remote from = Remote.parse(source);
        Remote to = Remote.parse(destination);
        if ((from == null) == (to == null)) {
            throw new ClientFailure(
                    ClientFailure.USAGE,
                    null,
                    "one of SRC and DST must be ID:PATH in a lease's container, the other a local path or -"
                            + " (see 'containerlease cp --help')");
        }
        try {
            if (from != null) {
                download(client, from, destination);
            } else {
                upload(client, source, to);
            }
        } catch (IOException e) {
            throw new ClientFailure(ClientFailure.REFUSED, null, e.getMessage());
        }
        return 0;
    }

    private void download(ServiceClient client, Remote from, String local) throws IOException {
        boolean toStdout = local.equals("-");
        HttpResponse<InputStream> response = client.stream(filesPath(from) + (toStdout ? "&archive=true" : ""));
        boolean tar = response.headers().firstValue("Content-Type").orElse("").startsWith("application/x-tar");
        String name = savedName(response);
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        var progress = new Progress(err(), "Downloading " + name, length);
        try (InputStream in = progress.counting(response.body())) {
            if (toStdout) {
                in.transferTo(System.out);
                System.out.flush();
            } else if (tar) {
                Path target = Path.of(local);
                boolean into = Files.isDirectory(target);
                // Into an existing directory: under the source's own name; otherwise the destination takes its place.
                String top = name.endsWith(".tar") ? name.substring(0, name.length() - 4) : name;
                LocalArchive.unpack(
                        in,
                        into ? target : target.toAbsolutePath().getParent(),
                        into
                                ? n -> n
                                : n -> renameTop(n, top, target.getFileName().toString()));
            } else {
                Path target = Path.of(local);
                if (Files.isDirectory(target)) {
                    target = target.resolve(name);
                }
                Path parent = target.toAbsolutePath().getParent();
                Path partial = Files.createTempFile(parent, ".containerlease-", ".part");
                try (OutputStream out = Files.newOutputStream(partial)) {
                    long copied = in.transferTo(out);
                    if (length >= 0 && copied != length) {
                        throw new IOException("the download was cut off after " + copied + " of " + length + " bytes");
                    }
                } catch (IOException e) {
                    Files.deleteIfExists(partial);
                    throw e;
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new IOException("the download did not complete: " + e.getMessage(), e);
        }
        progress.finish();
    }

    private void upload(ServiceClient client, String local, Remote to) throws IOException {
        if (local.equals("-")) {
            var progress = new Progress(err(), "Uploading", -1);
            client.upload(filesPath(to) + "&extract=true", () -> progress.counting(System.in), -1, "application/x-tar");
            progress.finish();
            return;
        }
        Path path = Path.of(local);
        if (!Files.exists(path)) {
            throw new ClientFailure(ClientFailure.NOT_FOUND, null, "no such file or directory: " + local);
        }
        JsonNode there = existing(client, to);
        boolean intoDirectory = there != null && there.path("type").asText().equals("directory");
        String name = path.toAbsolutePath().normalize().getFileName().toString();
        if (Files.isDirectory(path)) {
            // Into an existing directory: under its own name; otherwise the destination is made with its contents.
            String prefix = intoDirectory ? name : "";
            var progress = new Progress(err(), "Uploading " + name, -1);
            var failure = new AtomicReference<IOException>();
            var pipe = new PipedInputStream(1 << 16);
            var packing = new PipedOutputStream(pipe);
            Thread packer = Thread.ofPlatform().daemon().start(() -> {
                try (packing) {
                    LocalArchive.pack(path, prefix, packing);
                } catch (IOException e) {
                    failure.set(e);
                }
            });
            try {
                client.upload(filesPath(to) + "&extract=true", () -> progress.counting(pipe), -1, "application/x-tar");
            } finally {
                joinQuietly(packer);
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            progress.finish();
        } else {
            Remote target = intoDirectory || to.path().endsWith("/")
                    ? new Remote(to.id(), to.path().replaceAll("/+$", "") + "/" + name)
                    : to;
            long size = Files.size(path);
            var progress = new Progress(err(), "Uploading " + name, size);
            client.upload(
                    filesPath(target),
                    () -> {
                        try {
                            return progress.counting(Files.newInputStream(path));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    size,
                    "application/octet-stream");
            progress.finish();
        }
    }

    /** What is at the remote path now (its listing), or null when nothing is. */
    private static JsonNode existing(ServiceClient client, Remote remote) {
        try {
            return client.get(leasePath(remote.id()) + "/files/list?path=" + encoded(remote.path()));
        } catch (ClientFailure e) {
            if ("file_not_found".equals(e.code())) {
                return null;
            }
            throw e;
        }
    }

    private static String filesPath(Remote remote) {
        return leasePath(remote.id()) + "/files?path=" + encoded(remote.path());
    }

    /** The name the server gives the download (its Content-Disposition's plain name). */
    private static String savedName(HttpResponse<?> response) {
        String disposition =
                response.headers().firstValue("Content-Disposition").orElse("");
        var match =
                java.util.regex.Pattern.compile("filename\\*=UTF-8''([^;]+)").matcher(disposition);
        String name = match.find()
                ? java.net.URLDecoder.decode(match.group(1), java.nio.charset.StandardCharsets.UTF_8)
                : "download";
        // Only a name, never a path: the server's answer comes from a tenant's container.
        name = name.replace('/', '_').replace('\\', '_');
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "download" : name;
    }

    private static String renameTop(String entry, String top, String replacement) {
        if (entry.equals(top)) {
            return replacement;
        }
        // Anything not under the source's own name is not part of it: skipped.
        return entry.startsWith(top + "/") ? replacement + entry.substring(top.length()) : "";
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
