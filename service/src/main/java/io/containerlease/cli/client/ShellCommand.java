package io.containerlease.cli.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shell}: a terminal in a lease's container, as {@code docker exec -it} gives one. A dropped
 * connection comes back by itself to the same shell, with exactly the output missed meanwhile; the
 * user's terminal is put back as it was however the client ends.
 */
@Command(
        name = "shell",
        mixinStandardHelpOptions = true,
        description = {
            "Open a terminal in a lease's container (every key goes to it; Ctrl-P Ctrl-Q detaches).",
            "With -- CMD, run that command instead of the shell and exit with its status."
        },
        footer = {
            "",
            "Examples:",
            "  containerlease shell 01m8…",
            "  containerlease shell 01m8… --session 3f9c…      # back to a shell left with Ctrl-P Ctrl-Q",
            "  containerlease shell 01m8… -- cat /etc/os-release",
            "",
            "Exit status: the shell's or the command's own when the service reports it; 0 after detaching;",
            "1 when the lease ended or the shell was ended by the service."
        })
public final class ShellCommand extends ClientCommand {
    /** Typed while the connection is being made again: sent once it is back, up to this much. */
    private static final int MAX_PENDING_INPUT = 64 * 1024;

    private static final byte CTRL_D = 0x04;
    /** Refusals that may pass (no engine for a moment, too many connections): retried while reconnecting. */
    private static final java.util.Set<String> PASSING = java.util.Set.of("docker_unavailable", "too_many_connections");

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "A command (after --) to run instead of the shell.")
    List<String> command;

    @Option(
            names = "--session",
            paramLabel = "S",
            description = "Attach to this shell of the lease (it replays what it still holds).")
    String session;

    private final DetachKeys detachKeys = new DetachKeys();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private volatile ShellConnection connection;
    private volatile boolean done;

    @Override
    protected int run(ServiceClient client) {
        if (command != null && session != null) {
            throw new ClientFailure(
                    ClientFailure.USAGE, null, "a command starts a new shell: give --session or a command, not both");
        }
        try (LocalTerminal terminal = LocalTerminal.open()) {
            Thread restore = new Thread(terminal::close);
            Runtime.getRuntime()
                    .addShutdownHook(restore); // a kill or Ctrl-C before raw mode still gets its terminal back
            try {
                return session(client, terminal);
            } finally {
                done = true;
                terminal.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(restore);
                } catch (IllegalStateException shuttingDown) {
                    // a signal is ending the client: the hook runs, and finds the terminal restored already
                }
            }
        }
    }

    private int session(ServiceClient client, LocalTerminal terminal) {
        // The first connection is made before raw mode, so a refusal prints as any error does.
        ShellConnection first = connect(client, terminal, firstQuery(terminal), 0);
        String sessionId = awaitSession(first);
        terminal.enterRawMode();
        terminal.onResize(() -> {
            ShellConnection c = connection;
            if (c != null) {
                c.resize(terminal.cols(), terminal.rows());
            }
        });
        Thread.ofPlatform().daemon(true).name("containerlease-shell-input").start(() -> pumpInput(terminal));
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));
        while (true) {
            ServerEnd.Closed closed = awaitEnd(connection);
            if (detachKeys.detached()) {
                terminal.close();
                err().println();
                err().println("detached from shell " + sessionId + "; 'containerlease shell " + id + " --session "
                        + sessionId + "' returns to it");
                return 0;
            }
            if (closed.exited()) {
                terminal.close();
                if (closed.exitStatus().isPresent()) {
                    return closed.exitStatus().getAsInt();
                }
                err().println("the shell was ended by the service");
                return ClientFailure.REFUSED;
            }
            if (closed.endedReason() != null) {
                terminal.close();
                err().println("the lease has ended (" + closed.endedReason() + ")");
                return ClientFailure.REFUSED;
            }
            if (closed.refused()) {
                terminal.close();
                throw closed.refusal(id);
            }
            terminal.note("connection lost; reconnecting");
            while (true) {
                sleep(backoff.next());
                if (detachKeys.detached()) {
                    break;
                }
                try {
                    ShellConnection again = connect(
                            client,
                            terminal,
                            "session=" + encoded(sessionId) + "&offset=" + connection.offset() + "&cols="
                                    + terminal.cols() + "&rows=" + terminal.rows(),
                            connection.offset());
                    awaitSession(again);
                    terminal.note("reconnected");
                    backoff.reset();
                    flushPending();
                    break;
                } catch (ClientFailure failure) {
                    if (failure.exitCode() != ClientFailure.UNREACHABLE && !PASSING.contains(failure.code())) {
                        terminal.close();
                        throw failure;
                    }
                }
            }
        }
    }

    private String firstQuery(LocalTerminal terminal) {
        StringBuilder query = new StringBuilder("cols=" + terminal.cols() + "&rows=" + terminal.rows());
        if (session != null) {
            query.append("&session=").append(encoded(session)).append("&offset=0");
        }
        if (command != null) {
            command.forEach(arg -> query.append("&command=").append(encoded(arg)));
        }
        return query.toString();
    }

    private ShellConnection connect(ServiceClient client, LocalTerminal terminal, String query, long offset) {
        ShellConnection c = new ShellConnection(terminal, offset, terminal::note);
        c.opened(client.openSocket("/ws/terminal/" + leaseSegment(id) + "?" + query, c, "the terminal"));
        connection = c;
        return c;
    }

    /** Waits for the server to announce the session; a refusal or a broken connection is a {@link ClientFailure}. */
    private String awaitSession(ShellConnection c) {
        try {
            return c.session().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            ServerEnd.Closed closed = c.closed().getNow(null);
            if (closed != null && closed.refused()) {
                throw closed.refusal(id);
            }
            if (closed != null && closed.endedReason() != null) {
                throw new ClientFailure(
                        ClientFailure.REFUSED, "lease_ended", "the lease has ended (" + closed.endedReason() + ")");
            }
            throw new ClientFailure(ClientFailure.UNREACHABLE, null, "the terminal's connection broke before it began");
        } catch (TimeoutException e) {
            c.abort();
            throw new ClientFailure(
                    ClientFailure.UNREACHABLE, null, "the server did not start the terminal within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientFailure(ClientFailure.UNREACHABLE, null, "interrupted");
        }
    }

    private static ServerEnd.Closed awaitEnd(ShellConnection c) {
        try {
            return c.awaitEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ServerEnd.Closed.broken("interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Sends what is typed, as it is typed, until the client ends; Ctrl-P Ctrl-Q detaches. */
    private void pumpInput(LocalTerminal terminal) {
        byte[] buffer = new byte[8192];
        try {
            while (!done) {
                int n = terminal.read(buffer);
                if (n < 0) {
                    // The input ended (a pipe, a script): the shell gets the end-of-input key, as a terminal's user
                    // gives it.
                    send(new byte[] {CTRL_D});
                    return;
                }
                byte[] typed = detachKeys.filter(buffer, n);
                if (typed.length > 0) {
                    send(typed);
                }
                if (detachKeys.detached()) {
                    connection.abort();
                    return;
                }
            }
        } catch (IOException e) {
            // the user's terminal went away; the client is ending
        }
    }

    private void send(byte[] typed) {
        synchronized (pending) {
            if (pending.size() == 0 && connection.send(typed)) {
                return;
            }
            if (pending.size() + typed.length <= MAX_PENDING_INPUT) {
                pending.writeBytes(typed);
            }
        }
    }

    /** What was typed while the connection was down, sent once it is back. */
    private void flushPending() {
        synchronized (pending) {
            if (pending.size() > 0 && connection.send(pending.toByteArray())) {
                pending.reset();
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
