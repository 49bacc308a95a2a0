package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ClientProcess;
import io.containerlease.support.ClientProcess.Run;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line client as a user runs it: a process of its own, its config in its own
 * XDG_CONFIG_HOME, against a real server (tokens on) and engine. Output, files and exit codes are
 * what a script would see.
 */
@Timeout(180)
class ClientCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "alice-secret-token-123";

    @TempDir
    Path dir;

    private Run cli(Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
        return ClientProcess.run(dir.resolve("config"), env, stdin, args);
    }

    private Run cli(String... args) throws IOException, InterruptedException {
        return cli(Map.of(), "", args);
    }

    @Test
    void aUserLogsInLeasesListsExtendsAndReleasesAndEachFailureHasItsExitCode() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - user: alice
                    token: %s
                    role: user
                """.formatted(TOKEN));
        String id = null;
        try (ServerProcess server = ServerProcess.start(
                        dir.resolve("data"), Map.of("AUTH", "tokens", "AUTH_TOKENS_FILE", tokens.toString()))
                .awaitReady(Duration.ofSeconds(60))) {
            Run noServer = cli("ls");
            assertThat(noServer.exit()).as(noServer.err()).isEqualTo(2);
            assertThat(noServer.err()).contains("containerlease login");

            Run badToken = cli(Map.of(), "not-the-token\n", "login", server.baseUrl(), "--token-stdin");
            assertThat(badToken.exit()).isEqualTo(1);
            assertThat(badToken.err()).contains("invalid_token");
            assertThat(Files.exists(dir.resolve("config/containerlease/config")))
                    .as("nothing saved for a refused login")
                    .isFalse();

            Run login = cli(Map.of(), TOKEN + "\n", "login", server.baseUrl() + "/", "--token-stdin");
            assertThat(login.exit()).as(login.err()).isZero();
            assertThat(login.out()).contains("Logged in to " + server.baseUrl() + " as alice");
            Path config = dir.resolve("config/containerlease/config");
            assertThat(Files.getPosixFilePermissions(config))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            assertThat(cli("whoami").out())
                    .startsWith("alice at " + server.baseUrl() + "\n")
                    .containsPattern("\ncluster [0-9a-f-]{36}, server [0-9a-f-]{36}\n$");

            Run images = cli("images");
            assertThat(images.exit()).isZero();
            assertThat(images.out()).startsWith("IMAGE").contains("busybox");

            Run provisioned = cli("provision", "busybox", "--for", "10m", "--env", "GREETING=hi", "-o", "json");
            assertThat(provisioned.exit()).as(provisioned.err()).isZero();
            JsonNode lease = JSON.readTree(provisioned.out());
            id = lease.path("id").asText();
            assertThat(lease.path("status").asText()).isEqualTo("running");
            assertThat(lease.path("remainingSeconds").asLong()).isBetween(590L, 600L);

            Run ls = cli("ls");
            assertThat(ls.exit()).isZero();
            assertThat(ls.out().lines().toList())
                    .first()
                    .asString()
                    .startsWith("ID")
                    .contains("REMAINING");
            assertThat(ls.out()).contains(id, "busybox", "running", "9m");
            assertThat(JSON.readTree(cli("ls", "-o", "json").out())
                            .get(0)
                            .path("id")
                            .asText())
                    .isEqualTo(id);

            Run extended = cli("extend", id, "15m");
            assertThat(extended.exit()).as(extended.err()).isZero();
            assertThat(extended.out()).contains(id + " now ends at").contains("24m");
            Run clamped = cli("extend", id, "100d");
            assertThat(clamped.exit()).as("over the longest lease").isEqualTo(1);
            assertThat(clamped.err()).contains("(invalid_duration)");

            Run stopped = cli("stop", id, "--timeout", "1s");
            assertThat(stopped.exit()).as(stopped.err()).isZero();
            assertThat(stopped.out()).isEqualTo(id + ": container stopped\n");
            assertThat(cli("start", id).out()).isEqualTo(id + ": container running\n");

            Run usage = cli("provision", "busybox", "--for", "soon");
            assertThat(usage.exit()).isEqualTo(2);
            assertThat(usage.err()).contains("'soon' is not a duration");
            Run noImage = cli("provision");
            assertThat(noImage.exit()).isEqualTo(2);
            assertThat(noImage.err().lines().toList())
                    .as("one line and a hint, not the whole help")
                    .containsExactly(
                            "containerlease provision: Missing required parameter: 'IMAGE'",
                            "see 'containerlease provision --help'");
            Run typo = cli("provison", "busybox");
            assertThat(typo.exit()).isEqualTo(2);
            assertThat(typo.err()).contains("Did you mean", "provision").doesNotContain("Usage:");

            Run byDefault = cli("provision", "busybox", "-o", "json");
            assertThat(byDefault.exit()).as(byDefault.err()).isZero();
            JsonNode defaulted = JSON.readTree(byDefault.out());
            long busyboxDefault = 0;
            for (JsonNode type :
                    JSON.readTree(cli("images", "-o", "json").out()).path("imageTypes")) {
                if (type.path("imageType").asText().equals("busybox")) {
                    busyboxDefault = type.path("defaultDurationSeconds").asLong();
                }
            }
            assertThat(defaulted.path("remainingSeconds").asLong())
                    .as("the image's default duration")
                    .isBetween(busyboxDefault - 10, busyboxDefault);
            assertThat(cli("ps").out())
                    .as("ps is ls")
                    .contains(defaulted.path("id").asText());
            assertThat(cli("rm", defaulted.path("id").asText()).exit()).isZero();
            Run unknownImage = cli("provision", "nosuch");
            assertThat(unknownImage.exit()).isEqualTo(1);
            assertThat(unknownImage.err()).contains("no image type 'nosuch'", "containerlease images");

            Run execNowhere = cli("exec", "01m8033dce7fxx86sz54ktzqb1", "--", "true");
            assertThat(execNowhere.exit()).as(execNowhere.err()).isEqualTo(4);
            Run execMalformed = cli("exec", "not-an-id", "--", "true");
            assertThat(execMalformed.exit()).as(execMalformed.err()).isEqualTo(4);
            assertThat(cli("get", "not-an-id").exit()).isEqualTo(4);

            Run missing = cli("get", "01m8033dce7fxx86sz54ktzqb1");
            assertThat(missing.exit()).isEqualTo(4);
            assertThat(missing.err()).contains("(lease_not_found)");

            Run removed = cli("rm", id);
            assertThat(removed.exit()).as(removed.err()).isZero();
            assertThat(removed.out()).isEqualTo(id + "\n");
            assertThat(TestDocker.exists(ManagedLabels.containerName(new LeaseId(id))))
                    .isFalse();
            assertThat(cli("ls").out().lines().count()).as("only the header").isEqualTo(1);
            assertThat(cli("ls", "--all").out()).contains(id, "ended (released)");

            Run activity = cli("activity", "--lease", id);
            assertThat(activity.exit()).as(activity.err()).isZero();
            assertThat(activity.out()).contains("alice", "release", "provision", "extend", "refused");
            assertThat(JSON.readTree(
                            cli("activity", "--limit", "2", "-o", "json").out()))
                    .hasSize(2);

            Run events = cli("events", "--lease", id);
            assertThat(events.exit()).as(events.err()).isZero();
            assertThat(events.out())
                    .contains(
                            " lease.provisioning " + id + " user=alice ",
                            "imageType=busybox",
                            " lease.running " + id,
                            " lease.extended " + id,
                            " container.state " + id + " user=alice from=running to=stopped",
                            " lease.ended " + id + " user=alice reason=released");
            Run ended = cli("events", "--lease", id, "--type", "lease.ended", "-o", "json");
            assertThat(ended.out().lines().toList()).hasSize(1);
            assertThat(JSON.readTree(ended.out()).at("/data/reason").asText()).isEqualTo("released");
            Run badType = cli("events", "--type", "lease.nope");
            assertThat(badType.exit()).isEqualTo(1);
            assertThat(badType.err()).contains("unknown event type 'lease.nope'");

            Map<String, String> overridden = new HashMap<>(Map.of("CONTAINERLEASE_TOKEN", "wrong-token-0123456789"));
            assertThat(cli(overridden, "", "ls").exit())
                    .as("the environment's token comes first")
                    .isEqualTo(1);

            Run logout = cli("logout");
            assertThat(logout.out()).contains("Logged out.");
            assertThat(Files.exists(config)).isFalse();
            int port = server.port;
            server.close();
            Run down = cli(
                    Map.of("CONTAINERLEASE_URL", "http://127.0.0.1:" + port, "CONTAINERLEASE_TOKEN", TOKEN), "", "ls");
            assertThat(down.exit()).isEqualTo(3);
            assertThat(down.err()).contains("cannot connect");
        } finally {
            if (id != null) {
                TestDocker.removeIfPresent(ManagedLabels.containerName(new LeaseId(id)));
            }
        }
    }

    /**
     * {@code logs} prints what is held and exits; {@code logs -f} follows, and when the server dies
     * (kill -9) and comes back it resumes after the last line it printed: no tick missed, none twice.
     */
    @Test
    void logsPrintsTheLeasesOutputAndFollowingSurvivesTheServerDying() throws Exception {
        Path data = dir.resolve("data");
        Map<String, String> env = new HashMap<>(Map.of("AUTH", "off"));
        ServerProcess server = ServerProcess.start(data, env).awaitReady(Duration.ofSeconds(60));
        Map<String, String> client = Map.of("CONTAINERLEASE_URL", server.baseUrl());
        String id = null;
        Process follow = null;
        try {
            Run provisioned = cli(client, "", "provision", "ticker", "--for", "5m");
            assertThat(provisioned.exit()).as(provisioned.err()).isZero();
            id = provisioned.out().trim();
            Thread.sleep(6_000); // tick 1..6, and a warning on stderr at 5

            Run lastTwo = cli(client, "", "logs", id, "--tail", "2");
            assertThat(lastTwo.exit()).as(lastTwo.err()).isZero();
            assertThat(lastTwo.out().lines().count() + lastTwo.err().lines().count())
                    .isEqualTo(2);
            Run all = cli(client, "", "logs", id, "-t");
            assertThat(all.out()).contains("tick 1\n", "tick 2\n").matches("(?s)\\d{4}-\\d\\d-\\d\\dT.*");
            assertThat(all.err())
                    .contains("warning: tick 5 is a multiple of five")
                    .doesNotContain("tick 1\n");

            follow = ClientProcess.builder(dir.resolve("config"), client, "logs", id, "-f")
                    .start();
            var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
            var reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8));
            Thread.ofVirtual().start(() -> reader.lines().forEach(lines::add));
            List<String> seen = new ArrayList<>();
            awaitTick(lines, seen, 8);
            server.kill9();
            Thread.sleep(2_000);
            env.put("PORT", Integer.toString(server.port));
            server = ServerProcess.start(data, env).awaitReady(Duration.ofSeconds(60));
            awaitTick(lines, seen, 16);
            List<String> ticks =
                    seen.stream().filter(l -> l.startsWith("tick ")).toList();
            int first = Integer.parseInt(ticks.get(0).substring(5));
            for (int i = 0; i < ticks.size(); i++) {
                assertThat(ticks.get(i))
                        .as("every tick once, in order, across the restart")
                        .isEqualTo("tick " + (first + i));
            }

            Process events = ClientProcess.builder(dir.resolve("config"), client, "events", "-f", "--lease", id)
                    .start();
            var eventLines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));
            try {
                Thread.sleep(1_500); // subscribed: -f prints what happens from now on
                assertThat(cli(client, "", "rm", id).exit()).isZero();
                List<String> followed = new ArrayList<>();
                for (String line = eventLines.readLine();
                        line != null && !line.contains(" lease.ended ");
                        line = eventLines.readLine()) {
                    followed.add(line);
                }
                String ending = " lease.ending " + id;
                assertThat(followed)
                        .as("events -f sees the release as it happens")
                        .anyMatch(l -> l.contains(ending));
                assertThat(followed).noneMatch(l -> l.contains("lease.provisioning"));
            } finally {
                events.destroy();
            }
            assertThat(follow.waitFor(30, TimeUnit.SECONDS))
                    .as("-f ends with the lease")
                    .isTrue();
            assertThat(follow.exitValue()).isZero();
            String followErr = new String(follow.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(followErr).contains("the lease has ended (released)");
            assertThat(followErr.lines().filter(l -> l.startsWith("(connection lost")))
                    .as("the outage is said once, however many attempts it took:\n%s", followErr)
                    .hasSize(1);
            assertThat(followErr.lines().filter(l -> l.startsWith("(reconnected")))
                    .as("and its end once")
                    .hasSize(1);
            id = null;
        } finally {
            if (follow != null) {
                follow.destroyForcibly();
            }
            server.close();
            if (id != null) {
                TestDocker.removeIfPresent(ManagedLabels.containerName(new LeaseId(id)));
            }
        }
    }

    /** The program inside: a message and its reply, the channel's state, code pushed, refused, rolled back. */
    @Test
    void messagesAndCodeReachTheProgramInside() throws Exception {
        try (ServerProcess server =
                ServerProcess.start(dir.resolve("data"), Map.of("AUTH", "off")).awaitReady(Duration.ofSeconds(60))) {
            Map<String, String> client = Map.of("CONTAINERLEASE_URL", server.baseUrl());
            List<String> leases = new ArrayList<>();
            try {
                Run echo = cli(client, "", "provision", "echo", "--for", "5m");
                assertThat(echo.exit()).as(echo.err()).isZero();
                leases.add(echo.out().trim());
                String id = leases.get(0);
                Run reply = cli(client, "", "send", id, "{\"hello\": \"world\"}", "--timeout", "10s");
                assertThat(reply.exit()).as(reply.err()).isZero();
                assertThat(reply.out()).isEqualTo("{\"hello\":\"world\"}\n");
                assertThat(cli(client, "a sentence from a pipe", "send", id, "-")
                                .out())
                        .isEqualTo("a sentence from a pipe\n");
                assertThat(cli(client, "", "channel", id).out()).containsPattern("CONNECTED.*\\n\\s*true");

                Run app = cli(client, "", "provision", "app", "--for", "5m");
                assertThat(app.exit()).as(app.err()).isZero();
                leases.add(app.out().trim());
                String appId = leases.get(1);
                Path good = Files.createDirectories(dir.resolve("v2"));
                Files.writeString(good.resolve("start.sh"), "echo 'version 2 up'; exec sleep 3600\n");
                Run pushed = cli(client, "", "code", "push", appId, good.toString());
                assertThat(pushed.exit()).as(pushed.err()).isZero();
                assertThat(pushed.out()).isEqualTo("version 2: active\n");
                Path bad = Files.createDirectories(dir.resolve("v3"));
                Files.writeString(bad.resolve("start.sh"), "exit 3\n");
                Run refused = cli(client, "", "code", "push", appId, bad.toString());
                assertThat(refused.exit())
                        .as("a version that does not come up fails the push")
                        .isEqualTo(1);
                assertThat(refused.err()).contains("version 3: rolled_back");
                assertThat(cli(client, "", "activity", "--lease", appId, "-o", "json")
                                .out())
                        .as("a rolled-back push is a failure in the activity log")
                        .containsPattern("\"action\" : \"code_update\",[^}]*\"outcome\" : \"failed\"")
                        .containsPattern("\"action\" : \"code_update\",[^}]*\"outcome\" : \"succeeded\"");
                assertThat(cli(client, "", "code", "ls", appId).out()).containsPattern("\\n2 \\*\\s+active");
                Run back = cli(client, "", "code", "rollback", appId, "1");
                assertThat(back.exit()).as(back.err()).isZero();
                assertThat(cli(client, "", "code", "ls", appId, "-o", "json").out())
                        .contains("\"active\" : 1");
            } finally {
                for (String id : leases) {
                    cli(client, "", "rm", id);
                    TestDocker.removeIfPresent(ManagedLabels.containerName(new LeaseId(id)));
                }
            }
        }
    }

    /** Files both ways as docker cp moves them: directories, a file into a directory, tars on stdin and stdout. */
    @Test
    void cpCopiesFilesAndDirectoriesBothWaysAndFilesListsRemovesAndMakes() throws Exception {
        try (ServerProcess server =
                ServerProcess.start(dir.resolve("data"), Map.of("AUTH", "off")).awaitReady(Duration.ofSeconds(60))) {
            Map<String, String> client = Map.of("CONTAINERLEASE_URL", server.baseUrl());
            Run provisioned = cli(client, "", "provision", "busybox", "--for", "5m");
            assertThat(provisioned.exit()).as(provisioned.err()).isZero();
            String id = provisioned.out().trim();
            try {
                Path project = Files.createDirectories(dir.resolve("proj/src"));
                Files.writeString(project.resolve("a.txt"), "alpha");
                Files.createSymbolicLink(dir.resolve("proj/link"), Path.of("src/a.txt"));
                Path big = dir.resolve("big.bin");
                byte[] bytes = new byte[3 << 20];
                new java.util.Random(3).nextBytes(bytes);
                Files.write(big, bytes);

                // A directory to a path that is not there: made with its contents; to one that is: copied into it.
                assertThat(cli(client, "", "cp", dir.resolve("proj").toString(), id + ":/work")
                                .exit())
                        .isZero();
                assertThat(cli(client, "", "cp", dir.resolve("proj").toString(), id + ":/work")
                                .exit())
                        .isZero();
                Run listed = cli(client, "", "files", "ls", id, "/work");
                assertThat(listed.exit()).as(listed.err()).isZero();
                assertThat(listed.out())
                        .startsWith("MODE")
                        .contains("drwxr-xr-x", "proj/", "src/", "link -> src/a.txt");
                // A file into a directory keeps its name.
                Run up = cli(client, "", "cp", big.toString(), id + ":/tmp/");
                assertThat(up.exit()).as(up.err()).isZero();
                assertThat(up.err()).as("no progress lines for a pipe").isEmpty();
                assertThat(cli(client, "", "files", "ls", id, "/tmp").out()).contains("3.0 MiB", "big.bin");

                Path back = dir.resolve("back");
                assertThat(cli(client, "", "cp", id + ":/work", back.toString()).exit())
                        .isZero();
                assertThat(Files.readString(back.resolve("src/a.txt"))).isEqualTo("alpha");
                assertThat(Files.readString(back.resolve("proj/src/a.txt"))).isEqualTo("alpha");
                assertThat(Files.readSymbolicLink(back.resolve("link"))).isEqualTo(Path.of("src/a.txt"));
                Path downloads = Files.createDirectories(dir.resolve("downloads"));
                assertThat(cli(client, "", "cp", id + ":/tmp/big.bin", downloads.toString())
                                .exit())
                        .isZero();
                assertThat(Files.mismatch(big, downloads.resolve("big.bin"))).isEqualTo(-1L);
                assertThat(downloads.toFile().list())
                        .as("nothing half-written beside it")
                        .containsExactly("big.bin");

                Run tar = cli(client, "", "cp", id + ":/work/src", "-");
                assertThat(tar.exit()).as(tar.err()).isZero();
                assertThat(tar.out()).contains("src/a.txt", "alpha");
                // A tar on standard input (all ASCII, so it passes through the test's text pipe unchanged).
                var packed = new java.io.ByteArrayOutputStream();
                try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(packed)) {
                    var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("piped/note.txt");
                    entry.setSize(4);
                    out.putArchiveEntry(entry);
                    out.write("note".getBytes(StandardCharsets.US_ASCII));
                    out.closeArchiveEntry();
                }
                Run piped = cli(client, packed.toString(StandardCharsets.US_ASCII), "cp", "-", id + ":/in");
                assertThat(piped.exit()).as(piped.err()).isZero();
                assertThat(cli(client, "", "files", "ls", id, "/in/piped").out())
                        .contains("note.txt");

                assertThat(cli(client, "", "files", "mkdir", id, "/made/here").exit())
                        .isZero();
                assertThat(cli(client, "", "files", "rm", id, "/work").exit()).isZero();
                Run gone = cli(client, "", "files", "ls", id, "/work");
                assertThat(gone.exit()).as("no such file: not found").isEqualTo(4);
                assertThat(gone.err()).contains("file_not_found");
                assertThat(cli(client, "", "cp", id + ":/no/such", dir.toString())
                                .exit())
                        .isEqualTo(4);
                Run neither = cli(client, "", "cp", "a", "b");
                assertThat(neither.exit()).isEqualTo(2);
                assertThat(neither.err()).contains("ID:PATH");
            } finally {
                cli(client, "", "rm", id);
                TestDocker.removeIfPresent(ManagedLabels.containerName(new LeaseId(id)));
            }
        }
    }

    /** A web app inside: a preview link, and a local port forwarded to it as kubectl port-forward does. */
    @Test
    void openPrintsAPreviewLinkAndPortForwardCarriesALocalPortIn() throws Exception {
        try (ServerProcess server =
                ServerProcess.start(dir.resolve("data"), Map.of("AUTH", "off")).awaitReady(Duration.ofSeconds(60))) {
            Map<String, String> client = Map.of("CONTAINERLEASE_URL", server.baseUrl());
            Run provisioned = cli(client, "", "provision", "web", "--for", "5m");
            assertThat(provisioned.exit()).as(provisioned.err()).isZero();
            String id = provisioned.out().trim();
            Process forward = null;
            try {
                Run open = cli(client, "", "open", id, "8000");
                assertThat(open.exit()).as(open.err()).isZero();
                assertThat(open.out().trim())
                        .matches("http://8000-" + id + "\\.localhost:[0-9]+/__containerlease/auth\\?token=\\S+");

                forward = io.containerlease.support.ClientProcess.builder(
                                dir.resolve("config"), client, "port-forward", id, "0:8000")
                        .redirectErrorStream(true)
                        .start();
                var lines = new java.io.BufferedReader(
                        new java.io.InputStreamReader(forward.getInputStream(), StandardCharsets.UTF_8));
                String first = lines.readLine();
                assertThat(first).startsWith("Forwarding 127.0.0.1:").endsWith(" -> " + id + ":8000 (Ctrl-C to stop)");
                int local = Integer.parseInt(first.replaceAll("Forwarding 127\\.0\\.0\\.1:([0-9]+) .*", "$1"));
                var http = java.net.http.HttpClient.newHttpClient();
                var page = org.awaitility.Awaitility.await()
                        .atMost(Duration.ofSeconds(20))
                        .until(
                                () -> http.send(
                                        java.net.http.HttpRequest.newBuilder(
                                                        java.net.URI.create("http://127.0.0.1:" + local + "/"))
                                                .build(),
                                        java.net.http.HttpResponse.BodyHandlers.ofString()),
                                answer -> answer.statusCode() == 200);
                assertThat(page.body()).contains("Hello from a lease");

                Run bad = cli(client, "", "port-forward", id, "80000");
                assertThat(bad.exit()).isEqualTo(2);
            } finally {
                if (forward != null) {
                    forward.destroy();
                }
                cli(client, "", "rm", id);
                TestDocker.removeIfPresent(ManagedLabels.containerName(new LeaseId(id)));
            }
        }
    }

    /**
     * Every command under {@code line} ("token create" for a subcommand's own), by its name (not its
     * aliases), but picocli's completion generator.
     */
    private static void collect(picocli.CommandLine line, String prefix, List<String> into) {
        line.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("generate-completion") && name.equals(sub.getCommandName())) {
                into.add(prefix + name);
                collect(sub, prefix + name + " ", into);
            }
        });
    }

    /** Collects the follower's lines until one says tick {@code n} or later. */
    private static void awaitTick(java.util.concurrent.BlockingQueue<String> lines, List<String> seen, int n)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                if (line.startsWith("tick ") && Integer.parseInt(line.substring(5)) >= n) {
                    return;
                }
            }
        }
        throw new AssertionError("no tick " + n + " within a minute; seen " + seen);
    }

    @Test
    void everyCommandHasHelpWithAnExample() throws Exception {
        List<String> commands = new ArrayList<>();
        collect(new picocli.CommandLine(new io.containerlease.cli.Main()), "", commands);
        assertThat(commands).contains("login", "provision", "shell", "events", "token create", "token rotate-admin");
        for (String command : commands) {
            java.io.StringWriter out = new java.io.StringWriter();
            picocli.CommandLine line = new picocli.CommandLine(new io.containerlease.cli.Main());
            line.setOut(new java.io.PrintWriter(out));
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            assertThat(line.execute(args.toArray(String[]::new))).as(command).isZero();
            assertThat(out.toString())
                    .as(command)
                    .contains("Usage: containerlease " + command)
                    .contains("Example");
        }
        assertThat(cli("--help").out()).contains("Exit codes:", "generate-completion");
        Run completion = cli("generate-completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F", "provision", "logs");
    }
}
