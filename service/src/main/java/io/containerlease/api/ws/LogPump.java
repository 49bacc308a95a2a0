package io.containerlease.api.ws;

import io.containerlease.session.LogLine;
import io.containerlease.session.LogStreams;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves one reader's log lines from the lease's buffer to its socket at the pace the socket takes
 * them: woken when lines arrive, it reads what is new and queues it, waiting while the socket's queue
 * is full. Nothing is copied for a reader that is behind; if it falls behind the buffer itself, it is
 * told how many lines it missed ({@code dropped}, or {@code gap} for a resume from lines no longer held).
 */
public final class LogPump implements LogStreams.Reader {
    /** Lines read from the buffer at once: a batched frame holds at most this many. */
    private static final int LINES_PER_READ = 256;

    private final WsOutbox outbox;
    private final boolean batch;
    private final boolean follow;
    private final AtomicBoolean woken = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile LogStreams.Subscription subscription;
    private final Thread thread;

    /**
     * @param batch  a frame is a JSON array of the lines read together, not one line
     * @param follow false: once the reader has every line held when it started, the socket closes (1000)
     */
    public LogPump(WsOutbox outbox, boolean batch, boolean follow) {
        this.outbox = outbox;
        this.batch = batch;
        this.follow = follow;
        this.thread = Thread.ofVirtual().name("log-pump").unstarted(this::run);
    }

    /** Starts reading from the subscription (made with this pump as its reader). */
    public void start(LogStreams.Subscription subscription) {
        this.subscription = subscription;
        thread.start();
    }

    @Override
    public void wake() {
        if (woken.compareAndSet(false, true)) {
            LockSupport.unpark(thread);
        }
    }

    public void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        thread.interrupt();
    }

    private void run() {
        try {
            while (!stopped) {
                while (!woken.getAndSet(false)) {
                    LockSupport.park(this);
                    if (stopped) {
                        return;
                    }
                }
                LogStreams.Batch read;
                do {
                    read = subscription.poll(batch ? LINES_PER_READ : 64);
                    if (!send(read)) {
                        return;
                    }
                    if (!follow && read.caughtUp()) {
                        outbox.close(1000, "end of the log so far");
                        return;
                    }
                } while (!read.isEmpty());
            }
        } catch (InterruptedException e) {
            // stopped: the connection is gone
        }
    }

    /** False when the socket is closing. */
    private boolean send(LogStreams.Batch read) throws InterruptedException {
        LogStreams.Missed missed = read.missed();
        if (missed != null) {
            outbox.sendControl(
                    missed.resumed()
                            ? Map.of("type", "gap", "from", missed.from(), "to", missed.to())
                            : Map.of("type", "dropped", "count", missed.count()));
        }
        if (read.lines().isEmpty()) {
            return true;
        }
        if (batch) {
            int size = 2;
            for (LogLine line : read.lines()) {
                size += 96
                        + line.message().length(); // a line's fields and quoting, about: the builder then rarely grows
            }
            StringBuilder frame = new StringBuilder(size).append('[');
            for (LogLine line : read.lines()) {
                LogSocket.json(line, frame.length() > 1 ? frame.append(',') : frame);
            }
            return outbox.textWhenRoom(frame.append(']').toString());
        }
        for (LogLine line : read.lines()) {
            if (!outbox.textWhenRoom(LogSocket.json(line))) {
                return false;
            }
        }
        return true;
    }
}
