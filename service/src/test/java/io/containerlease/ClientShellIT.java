package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ClientProcess;
import io.containerlease.support.ClientProcess.Run;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.SocketProxy;
import io.containerlease.support.TestDocker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code containerlease shell} driven as a person would: in a real terminal (tmux on a private
 * socket), typing with send-keys and reading the screen with capture-pane, against a real server
 * and engine, through a proxy that can break the connection as a network would.
 */
@Timeout(180)
class ClientShellIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOKEN = "shell-user-token-0123456789";

    @TempDir
    Path dir;

    private ServerProcess server;
    private SocketProxy network;
    private Map<String, String> client;
    private String tmuxSocket;
    private String id;

    @BeforeEach
    void start() throws Exception {
        Path tokens =
                Files.writeString(dir.resolve("tokens.yaml"), "tokens:\n  - user: sam\n    token: " + TOKEN + "\n");
        server = ServerProcess.start(
                        dir.resolve("data"), Map.of("AUTH", "tokens", "AUTH_TOKENS_FILE", tokens.toString()))
                .awaitReady(Duration.ofSeconds(60));
        network = SocketProxy.tcp(server.port);
        client = Map.of("CONTAINERLEASE_URL", "http://127.0.0.1:" + network.port(), "CONTAINERLEASE_TOKEN", TOKEN);
        tmuxSocket = "containerlease-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Run provisioned = cli("provision", "busybox", "--for", "5m");
        assertThat(provisioned.exit()).as(provisioned.err()).isZero();
        id = provisioned.out().trim();
    }

    @AfterEach
    void stop() throws Exception {
        tmux("kill-server");
        if (network != null) {
            network.close();
        }
        if (server != null) {
            server.close();
        }
        if (id != null) {
            TestDocker.removeIfPresent(ManagedLabels.containerName(new LeaseId(id)));
        }
    }

    @Test
    void aPersonTypesResizesLosesTheNetworkAndGetsTheSameShellBack() throws Exception {
        openWindow("shell", id);
        type("echo hello-$((6*7))");
        awaitScreen(s -> s.contains("hello-42"), "the command's output");

        type("stty size");
        awaitScreen(s -> s.contains("30 100"), "the shell starts at the window's size");
        tmux("resize-window", "-t", "main", "-x", "120", "-y", "40");
        type("clear; stty size");
        awaitScreen(s -> s.contains("40 120"), "the shell follows the window's new size");

        type("sleep 60");
        Thread.sleep(500);
        tmux("send-keys", "-t", "main", "C-c");
        type("clear; echo interrupted-$((1+1))");
        awaitScreen(s -> s.contains("interrupted-2"), "Ctrl-C reaches the container's sleep, not the client");

        type("MARK=kept; echo pid-$$");
        String pid = awaitMatch(Pattern.compile("pid-(\\d+)"), "the shell's pid");
        network.dropConnections();
        awaitScreen(s -> s.contains("[reconnected]"), "the client comes back by itself");
        type("clear; echo $MARK-$$");
        awaitScreen(s -> s.contains("kept-" + pid), "the same shell, with its variable and pid");

        type("exit 5");
        awaitScreen(s -> s.contains("CLIENT-EXIT=5"), "the client exits with the shell's status");
        awaitScreen(
                s -> s.contains("TERMINAL isig icanon echo"),
                "the terminal is restored: line editing, echo and signals back");
    }

    /** Ctrl-C in the shell goes to the container; a Ctrl-C (SIGINT) sent to the client itself ends it, and the terminal comes back. */
    @Test
    void aSignalEndingTheClientStillGivesTheTerminalBack() throws Exception {
        openWindow("shell", id);
        type("echo rea''dy");
        awaitScreen(s -> s.contains("ready"), "the shell");
        long panePid = Long.parseLong(
                tmux("list-panes", "-t", "main", "-F", "#{pane_pid}").trim());
        ProcessHandle client =
                ProcessHandle.of(panePid).orElseThrow().children().findFirst().orElseThrow();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(client.pid())).start();
        assertThat(kill.waitFor()).isZero();
        awaitScreen(s -> s.contains("CLIENT-EXIT=130"), "the client ended by SIGINT");
        awaitScreen(
                s -> s.contains("TERMINAL isig icanon echo"),
                "the terminal is restored: line editing, echo and signals back");
    }

    @Test
    void detachingLeavesTheShellRunningAndReattachingShowsItsScreen() throws Exception {
        openWindow("shell", id);
        type("cd /tmp; WHERE=here; echo rea''dy");
        awaitScreen(s -> s.contains("ready"), "the shell");
        tmux("send-keys", "-t", "main", "C-p", "C-q");
        String session = awaitMatch(Pattern.compile("--session ([0-9a-z]+)"), "how to come back");
        awaitScreen(s -> s.contains("CLIENT-EXIT=0"), "detaching is a normal end");

        tmux("kill-session", "-t", "main");
        openWindow("shell", id, "--session", session);
        awaitScreen(s -> s.contains("ready"), "the replay of what the shell wrote");
        type("echo $WHERE-$(pwd)");
        awaitScreen(s -> s.contains("here-/tmp"), "the same shell, where it was left");
        assertThat(screen())
                .as("the replay's cursor queries are not answered again")
                .doesNotContainPattern("\\^\\[\\[\\d+;\\d+R");

        Run sessions = cli("sessions", id);
        assertThat(sessions.out())
                .as("its age in words, attached once, never unattended, its output in binary units")
                .containsPattern(session + "\\s+(just now|\\d+[smhd] ago)\\s+1\\s+-\\s+\\d+(\\.\\d)? (B|KiB|MiB)");
        Run ended = cli("sessions", id, "--end", session);
        assertThat(ended.exit()).as(ended.err()).isZero();
        awaitScreen(
                s -> s.contains("CLIENT-EXIT=1"),
                "a shell ended by someone else ends the client, with no status of its own");
        assertThat(cli("shell", id, "--session", session).exit())
                .as("that shell is gone")
                .isEqualTo(4);
    }

    @Test
    void aCommandRunsInsteadOfTheShellAndItsStatusIsTheClients() throws Exception {
        Run run = cli("shell", id, "--", "sh", "-c", "echo out-$((2*3)); exit 7");
        assertThat(run.exit()).as(run.err()).isEqualTo(7);
        assertThat(run.out()).contains("out-6");

        Run missing = cli("shell", id, "--", "no-such-program");
        assertThat(missing.exit())
                .as("the engine's status for a program that cannot start")
                .isEqualTo(126);

        Run noLease = cli("shell", "01kdvdna00q45fe1h7hk7nkrcv");
        assertThat(cli("exec", "01kdvdna00q45fe1h7hk7nkrcv", "--", "true").exit())
                .isEqualTo(4);
        assertThat(noLease.exit()).as(noLease.err()).isEqualTo(4);
        Run both = cli("shell", id, "--session", "abc", "--", "ls");
        assertThat(both.exit()).isEqualTo(2);
    }

    /** Without a terminal, for scripts: the exact bytes, stdout and stderr apart, and the status. */
    @Test
    void execGivesAScriptTheCommandsExactBytesAndStatus() throws Exception {
        Process binary = ClientProcess.builder(
                        dir.resolve("config"),
                        client,
                        "exec",
                        id,
                        "--",
                        "sh",
                        "-c",
                        "printf 'a\\000b\\377\\n\\r\\n'; echo to-stderr >&2; exit 3")
                .start();
        byte[] out = binary.getInputStream().readAllBytes();
        String err = new String(binary.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(binary.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(binary.exitValue()).as(err).isEqualTo(3);
        assertThat(out)
                .as("no terminal in between: not a byte changed")
                .containsExactly('a', 0, 'b', 0xff, '\n', '\r', '\n');
        assertThat(err).isEqualTo("to-stderr\n");

        Run noInput = ClientProcess.run(dir.resolve("config"), client, "ignored\n", "exec", id, "--", "cat");
        assertThat(noInput.out()).as("the command reads nothing, and ends").isEmpty();
        assertThat(noInput.exit()).isZero();
    }

    private Run cli(String... args) throws IOException, InterruptedException {
        return ClientProcess.run(dir.resolve("config"), client, "", args);
    }

    /**
     * A 100x30 window running the client, then printing its exit status and the terminal's
     * settings (what a person would see when the client has gone).
     */
    private void openWindow(String... args) throws Exception {
        StringBuilder script = new StringBuilder("#!/bin/sh\n");
        client.forEach((k, v) ->
                script.append("export ").append(k).append("='").append(v).append("'\n"));
        script.append("export XDG_CONFIG_HOME='").append(dir.resolve("config")).append("'\n");
        script.append(ClientProcess.command(args).stream()
                .map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" ")));
        script.append("\necho CLIENT-EXIT=$?\n");
        script.append("echo TERMINAL $(stty -a | tr ' ;' '\\n\\n' | grep -E '^(icanon|echo|isig)$' | tr '\\n' ' ')\n");
        script.append("sleep 600\n");
        Path file = Files.writeString(dir.resolve("window-" + System.nanoTime() + ".sh"), script);
        file.toFile().setExecutable(true);
        tmux("new-session", "-d", "-s", "main", "-x", "100", "-y", "30", file.toString());
        awaitScreen(s -> s.contains("/ #"), "the container's prompt");
    }

    private void type(String line) throws Exception {
        tmux("send-keys", "-t", "main", "-l", line);
        tmux("send-keys", "-t", "main", "Enter");
    }

    private String screen() throws Exception {
        return tmux("capture-pane", "-p", "-J", "-t", "main", "-S", "-100"); // -J: a wrapped line as one
    }

    private void awaitScreen(java.util.function.Predicate<String> seen, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = screen();
            if (seen.test(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "not on the screen within " + WAIT.toSeconds() + " s: " + what + "\n--- screen ---\n" + last);
    }

    private String awaitMatch(Pattern pattern, String what) throws Exception {
        awaitScreen(s -> pattern.matcher(s).find(), what);
        Matcher m = pattern.matcher(screen());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** Runs tmux on this test's own server socket (never the machine's default one). */
    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", tmuxSocket, "-f", "/dev/null"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
