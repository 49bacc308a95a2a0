package io.containerlease.files;

import io.containerlease.helper.HelperBinary;
import io.containerlease.helper.HelperFrames;
import io.containerlease.lease.ContainerStreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One run of our helper's {@code files} command in a container (the engine's exec, with input),
 * frames both ways. What it says is read into a queue bounded in bytes: while the reader is behind,
 * the engine's stream is not read, so a download is paced by its client all the way into the
 * container and a transfer holds at most {@link #MAX_BUFFERED} of the server's memory.
 */
final class HelperCall implements AutoCloseable {
    static final int MAX_BUFFERED = 1 << 20;
    /** How long the helper may be silent, or behind on input, before the transfer is given up. */
    static final Duration STALL = Duration.ofSeconds(60);

    /** A frame from the helper; {@link #END} when its output ended. */
    record Frame(byte type, byte[] payload) {
        String text() {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static final Frame END = new Frame((byte) 0, new byte[0]);

    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final Semaphore room = new Semaphore(MAX_BUFFERED);
    private final ContainerStreams.Duplex duplex;
    private volatile boolean closed;
    private boolean answered;

    private HelperCall(ContainerStreams streams, String container, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(HelperBinary.PATH, "files"));
        command.addAll(arguments);
        var reader = new HelperFrames.Reader(this::queue);
        this.duplex = streams.openTransfer(container, command, new ContainerStreams.ExecOutput() {
            @Override
            public void stdout(byte[] data) {
                try {
                    reader.accept(data);
                } catch (HelperFrames.ProtocolException e) {
                    // Not our helper speaking (or one too old for files): the stream is worth nothing more.
                    frames.add(END);
                    closed = true;
                }
            }

            @Override
            public void stderr(byte[] data) {
                // Notes for a person only; never protocol, and not kept.
            }

            @Override
            public void exited(OptionalInt status) {
                frames.add(END);
            }
        });
    }

    static HelperCall open(ContainerStreams streams, String container, List<String> arguments) {
        return new HelperCall(streams, container, arguments);
    }

    /** On the engine's thread: waits for room, which is what paces the container's output to our reader. */
    private void queue(byte type, byte[] payload) {
        int permits = Math.max(1, payload.length);
        try {
            while (!closed) {
                if (room.tryAcquire(permits, 100, TimeUnit.MILLISECONDS)) {
                    frames.add(new Frame(type, payload));
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The helper's next frame; {@link #END} once its output ended.
     *
     * @throws FileException when it says nothing for {@link #STALL}, or ends without a word
     */
    Frame next() {
        try {
            Frame frame = frames.poll(STALL.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw failed("the container stopped answering during the transfer");
            }
            if (frame != END) {
                answered = true;
                room.release(Math.max(1, frame.payload().length));
                return frame;
            }
            frames.add(END);
            if (!answered) {
                throw failed("the container's helper did not answer (a container made by an older version of the"
                        + " service cannot move files; a new lease can)");
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed("the transfer was interrupted");
        }
    }

    /**
     * Sends a frame, waiting while the helper is behind; false when it ended (its last frames say
     * why).
     */
    boolean send(byte type, byte[] payload) {
        return sendFrame(HelperFrames.frame(type, payload));
    }

    /**
     * Sends a whole frame as it is (header included, see {@link HelperFrames#frame}): an upload's
     * chunks are read straight into their frame, with no copy. The array is not kept.
     */
    boolean sendFrame(byte[] frame) {
        long giveUpAt = System.nanoTime() + STALL.toNanos();
        while (!closed && !frames.contains(END)) {
            if (duplex.write(frame)) {
                return true;
            }
            if (System.nanoTime() > giveUpAt) {
                throw failed("the container stopped taking the upload");
            }
        }
        return false;
    }

    static FileException failed(String message) {
        return new FileException(FileException.Kind.FAILED, "transfer_failed", message);
    }

    @Override
    public void close() {
        closed = true;
        duplex.close();
        frames.clear();
    }
}
