package io.containerlease.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.NonBlockingInputStream;

/**
 * The user's side of {@code shell}: their terminal in raw mode (every key, Ctrl-C included, goes to
 * the shell in the container, as with {@code docker exec -it} or ssh), its size and its changes,
 * and the way back to how it was. When standard input or output is not a terminal (a pipe, a
 * script), it is plain bytes in and out at a fixed size, and nothing is changed.
 */
final class LocalTerminal implements AutoCloseable {
    /** What a terminal that cannot say its size is taken to be. */
    static final int DEFAULT_COLS = 80;

    static final int DEFAULT_ROWS = 24;

    private final Terminal terminal; // null: not a terminal
    private final InputStream in;
    private final OutputStream out;
    private Attributes saved;
    private boolean closed;

    private LocalTerminal(Terminal terminal, InputStream in, OutputStream out) {
        this.terminal = terminal;
        this.in = in;
        this.out = out;
        if (terminal != null) {
            // JLine catches these signals to pass them on; left to its default it re-raises them, and the
            // process dies at once, in raw mode. Ended this way instead, the terminal is put back first.
            terminal.handle(Terminal.Signal.INT, signal -> endBy(130));
            terminal.handle(Terminal.Signal.QUIT, signal -> endBy(131));
        }
    }

    /** A signal ends the client as it would have (128 + its number), with the terminal restored. */
    private void endBy(int exitCode) {
        close();
        System.exit(exitCode);
    }

    /** The process's terminal, or its plain standard streams when it has none. */
    static LocalTerminal open() {
        Logger.getLogger("org.jline").setLevel(Level.OFF); // its fallbacks are ours to explain, not its warnings
        try {
            Terminal system = TerminalBuilder.builder()
                    .name("containerlease")
                    .system(true)
                    .jni(true)
                    .exec(true)
                    .nativeSignals(true)
                    .dumb(true)
                    .build();
            if (!Terminal.TYPE_DUMB.equals(system.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(system.getType())) {
                return new LocalTerminal(system, system.input(), system.output());
            }
            system.close();
        } catch (IOException | RuntimeException | LinkageError e) {
            // no terminal to be had: plain streams
        }
        return new LocalTerminal(null, System.in, System.out);
    }

    boolean interactive() {
        return terminal != null;
    }

    int cols() {
        int cols = terminal == null ? 0 : terminal.getSize().getColumns();
        return cols > 0 ? cols : DEFAULT_COLS;
    }

    int rows() {
        int rows = terminal == null ? 0 : terminal.getSize().getRows();
        return rows > 0 ? rows : DEFAULT_ROWS;
    }

    /** Calls {@code resized} when the window's size changes (SIGWINCH). */
    void onResize(Runnable resized) {
        if (terminal != null) {
            terminal.handle(Terminal.Signal.WINCH, signal -> resized.run());
        }
    }

    /**
     * Every byte as typed: no echo, no line editing, no signals from Ctrl-C or Ctrl-Z, no flow
     * control, and output written exactly as the remote terminal sends it.
     */
    synchronized void enterRawMode() {
        if (terminal == null || saved != null) {
            return;
        }
        saved = terminal.enterRawMode();
        Attributes raw = terminal.getAttributes();
        raw.setLocalFlag(Attributes.LocalFlag.ISIG, false);
        raw.setOutputFlag(Attributes.OutputFlag.OPOST, false);
        terminal.setAttributes(raw);
    }

    /**
     * Reads what was typed into {@code buffer}: the count, 0 when nothing came within a moment (so a
     * reader can notice it should stop), or -1 at the end of the input.
     */
    int read(byte[] buffer) throws IOException {
        if (in instanceof NonBlockingInputStream nonBlocking) {
            int n = nonBlocking.readBuffered(buffer, 200);
            return n == NonBlockingInputStream.READ_EXPIRED ? 0 : n;
        }
        return in.read(buffer);
    }

    synchronized void write(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
            out.flush();
        } catch (IOException e) {
            // the user's terminal is gone; the shell's end will follow
        }
    }

    /** A note from the client itself, set apart from the shell's output (dim, on a line of its own). */
    void note(String text) {
        if (!interactive()) {
            System.err.println("[" + text + "]"); // a script's output stays the shell's alone
            return;
        }
        byte[] bytes = ("\r\n\u001b[2m[" + text + "]\u001b[0m\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        write(bytes, 0, bytes.length);
    }

    /** Puts the terminal back as it was. Idempotent, and safe from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (terminal != null) {
            try {
                if (saved != null) {
                    terminal.setAttributes(saved);
                }
                terminal.close();
            } catch (IOException | RuntimeException e) {
                // restored as far as it could be
            }
        }
    }
}
