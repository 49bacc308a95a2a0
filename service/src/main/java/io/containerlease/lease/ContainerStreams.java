package io.containerlease.lease;

import java.io.Closeable;
import java.time.Instant;
import java.util.List;

/**
 * Live streams into and out of a running container: its log output, and interactive shells.
 * Separate from {@link ContainerRuntime} because streams live as long as a user watches, on
 * connections that must never time out.
 */
public interface ContainerStreams {

    /** Terminal input waiting for its shells, in bytes, across every shell (a gauge: it is bounded per shell). */
    long queuedInputBytes();

    /**
     * Follows the container's output: with {@code since} null, first the last {@code tail} lines it
     * has written (then {@code sink.historyEnd}), then each new line; with {@code since}, every line
     * from that second on (whole seconds: lines of that second that were already read arrive again and
     * are for the caller to skip). Lines arrive in order, on one thread, until the returned handle is
     * closed or the container goes.
     */
    Closeable followLogs(String container, int tail, Instant since, LogSink sink);

    /** Receives a followed container's output, a whole line at a time. */
    interface LogSink {
        void line(boolean stderr, Instant timestamp, String text);

        /**
         * Every line the container had written when the follow began has been delivered; what comes
         * next is new. Called once, possibly before the first line (an empty log) and possibly on the
         * caller's thread.
         */
        void historyEnd();

        /** The stream ended (the container went, or the handle was closed); {@code error} is null on a clean end. */
        void closed(Throwable error);
    }

    /** Starts {@code command} in the container with a TTY of the given size. */
    Shell openShell(String container, List<String> command, int cols, int rows, ShellOutput output);

    /** Receives a shell's output bytes, in order, on one thread. */
    interface ShellOutput {
        void bytes(byte[] data);

        /**
         * The shell exited or its stream broke. Called once. {@code status} is the command's exit
         * status when the engine reported one (a broken stream or a shell closed by us has none).
         */
        void exited(java.util.OptionalInt status);
    }

    /**
     * Starts {@code command} in the container without a TTY and without input, as {@code docker exec}
     * without {@code -it} does: its output is the exact bytes it writes, stdout and stderr apart.
     * (No input: the engine's client cannot end an exec's input without ending its output too.)
     */
    Exec openExec(String container, List<String> command, ExecOutput output);

    /** Receives a command's output, in order, on one thread. */
    interface ExecOutput {
        void stdout(byte[] data);

        void stderr(byte[] data);

        /** As {@link ShellOutput#exited}. Called once. */
        void exited(java.util.OptionalInt status);
    }

    /**
     * Starts {@code command} in the container without a TTY but with input, for a long-lived
     * two-way stream to a program of the service's own inside (the channel's relay, which frames
     * what it says, so its stdout is all it needs). Output as {@link #openExec}; closing the stream
     * ends the command's input, which ends our helper.
     */
    Duplex openDuplex(String container, List<String> command, ExecOutput output);

    /**
     * As {@link #openDuplex}, for moving much data at once (files in and out): an engine whose
     * client is slow at bulk input may give it a faster path of its own.
     */
    default Duplex openTransfer(String container, List<String> command, ExecOutput output) {
        return openDuplex(container, command, output);
    }

    /** A running command without a TTY, with input. */
    interface Duplex extends Exec {
        /**
         * Queues bytes for the command's input. Waits a little while it is behind; returns false
         * (queuing nothing) when it stays behind or the stream is closed.
         */
        boolean write(byte[] data);
    }

    /** A running command without a TTY. */
    interface Exec extends AutoCloseable {
        /** Ends the command's stream (the command itself may run on, as after {@code docker exec} is interrupted). Idempotent. */
        @Override
        void close();
    }

    /** A running shell. */
    interface Shell extends AutoCloseable {
        /**
         * Sends bytes to the shell's TTY. Waits a little while the shell is behind; returns false
         * (sending nothing) when it stays behind, so the caller can stop a client that floods it.
         */
        boolean write(byte[] data);

        void resize(int cols, int rows);

        /** Ends the shell's stream. Idempotent. */
        @Override
        void close();
    }
}
