package io.containerlease.api.ws;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.api.support.Json;
import io.containerlease.session.LeaseConnections;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a server sends on one WebSocket goes through here: a bounded queue drained by one
 * sender thread that hands batches of frames to Jetty. A slow reader therefore slows only its own
 * queue, and the queue never grows past its bounds: a producer that can wait (log lines) waits for
 * room; for one that cannot (terminal bytes, events) the connection is closed with 1013 so the
 * client resumes from its last offset.
 */
public final class WsOutbox implements LeaseConnections.ControlSink {
    private static final Logger log = LoggerFactory.getLogger(WsOutbox.class);
    public static final int CLOSE_TOO_SLOW = 1013;
    public static final int CLOSE_SERVER_ERROR = 1011;
    /** A frame not flushed in this long means the peer stopped reading. */
    public static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
    /** How long a close frame may take before the connection is cut without one. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Frames taken from the queue at once. */
    private static final int MAX_BATCH = 64;
    /** Frames handed to Jetty and not yet flushed, at most: a reader that falls behind fills the queue instead, which is bounded. */
    private static final int MAX_IN_FLIGHT = 256;

    /** The far end, as the sender needs it: Jetty's session in production, a hand-written fake in tests. */
    public interface Peer {
        CompletableFuture<Void> sendText(String text);

        CompletableFuture<Void> sendBinary(ByteBuffer data);

        CompletableFuture<Void> close(int code, String reason);

        /** Cuts the connection without a close handshake. */
        void disconnect();

        static Peer of(Session session) {
            return new Peer() {
                @Override
                public CompletableFuture<Void> sendText(String text) {
                    Callback.Completable done = new Callback.Completable();
                    session.sendText(text, done);
                    return done;
                }

                @Override
                public CompletableFuture<Void> sendBinary(ByteBuffer data) {
                    Callback.Completable done = new Callback.Completable();
                    session.sendBinary(data, done);
                    return done;
                }

                @Override
                public CompletableFuture<Void> close(int code, String reason) {
                    Callback.Completable done = new Callback.Completable();
                    session.close(code, reason, done);
                    return done;
                }

                @Override
                public void disconnect() {
                    session.disconnect();
                }
            };
        }
    }

    private final Peer peer;
    private final Duration sendTimeout;
    private final Duration closeTimeout;
    private final int maxFrames;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    /** Signalled when frames leave the queue (or it is closing), for producers waiting for room. */
    private final Condition room = lock.newCondition();

    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closing;
    /** A send failed and the connection is being closed for it (under the lock). */
    private boolean failed;
    /** The sender took frames from the queue and has not handed them all to Jetty yet (under the lock). */
    private boolean senderBusy;
    /** Frames handed to Jetty and not yet flushed, by anyone. */
    private final java.util.concurrent.atomic.AtomicInteger unflushed = new java.util.concurrent.atomic.AtomicInteger();

    private final Thread sender;

    private record Frame(String text, byte[] binary, int closeCode, String closeReason) {
        long size() {
            return text != null ? text.length() : binary != null ? binary.length : 0;
        }

        boolean isClose() {
            return closeCode != 0;
        }
    }

    public WsOutbox(Session session, int maxFrames, long maxBytes) {
        this(Peer.of(session), maxFrames, maxBytes, SEND_TIMEOUT, CLOSE_TIMEOUT);
    }

    public WsOutbox(Peer peer, int maxFrames, long maxBytes, Duration sendTimeout, Duration closeTimeout) {
        this.peer = peer;
        this.sendTimeout = sendTimeout;
        this.closeTimeout = closeTimeout;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.sender = Thread.ofVirtual().name("ws-sender").start(this::drain);
    }

    /** A text frame (an event): a reader too slow for it is closed. */
    public void text(String text) {
        enqueue(new Frame(text, null, 0, null));
    }

    /**
     * A text frame from a producer that can wait (a log reader reading at the client's pace): waits
     * while the queue is full, then queues it behind the sender (a burst goes out in the sender's
     * batches, not a write per frame). False when the connection is closing.
     */
    public boolean textWhenRoom(String text) throws InterruptedException {
        return whenRoom(new Frame(text, null, 0, null));
    }

    /** A binary frame from a producer that can wait (a TCP stream at the client's pace), as {@link #textWhenRoom}. */
    public boolean binaryWhenRoom(byte[] data) throws InterruptedException {
        return whenRoom(new Frame(null, data, 0, null));
    }

    private boolean whenRoom(Frame frame) throws InterruptedException {
        lock.lock();
        try {
            while (!closing
                    && !queue.isEmpty()
                    && (queue.size() >= maxFrames || queuedBytes + frame.size() > maxBytes)) {
                room.await();
            }
            if (closing) {
                return false;
            }
            queue.addLast(frame);
            queuedBytes += frame.size();
            ready.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    public void binary(byte[] data) {
        enqueue(new Frame(null, data, 0, null));
    }

    @Override
    public void sendControl(Map<String, Object> message) {
        enqueue(new Frame(Json.text(message), null, 0, null));
    }

    /** Closes after everything already queued has been sent. */
    @Override
    public void close(int code, String reason) {
        enqueue(new Frame(null, null, code, reason));
    }

    /** The connection is gone: stop sending. Idempotent. */
    public void stop() {
        lock.lock();
        try {
            closing = true;
            queue.clear();
            ready.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        sender.interrupt();
    }

    private void enqueue(Frame frame) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            if (queue.isEmpty() && !senderBusy && unflushed.get() == 0 && !frame.isClose()) {
                // Nothing waits and everything sent is flushed: the peer keeps up, so this frame goes out from
                // the caller's thread (a keystroke's echo need not wake the sender). Still in order: the
                // sender hands frames to Jetty only while it is busy, and then this path is closed.
                sendDirectly(frame);
                return;
            }
            queue.addLast(frame);
            queuedBytes += frame.size();
            if (frame.isClose()) {
                closing = true;
                room.signalAll();
            }
            if (!closing && (queue.size() > maxFrames || queuedBytes > maxBytes)) {
                // Nothing may be dropped without corrupting the stream: let the client resume instead.
                queue.clear();
                queuedBytes = 0;
                queue.addLast(new Frame(null, null, CLOSE_TOO_SLOW, "client too slow; reconnect to resume"));
                closing = true;
                room.signalAll();
            }
            ready.signal(); // one sender waits on it
        } finally {
            lock.unlock();
        }
    }

    private void drain() {
        List<Frame> batch = new ArrayList<>(MAX_BATCH);
        // Frames handed to Jetty and not yet flushed, oldest first. Jetty keeps them in order and writes
        // those queued behind a write in progress together, so the sender does not wait for each batch:
        // it waits for the oldest only when too many are in flight (that bounds what Jetty holds).
        ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        try {
            while (true) {
                batch.clear();
                lock.lock();
                try {
                    while (queue.isEmpty()) {
                        ready.await(); // stop() interrupts this
                    }
                    takeBatch(batch);
                    senderBusy = true;
                } finally {
                    lock.unlock();
                }
                for (Frame frame : batch) {
                    if (frame.isClose()) {
                        awaitAll(inFlight);
                        awaitDirect();
                        closeOrCut(frame.closeCode(), frame.closeReason());
                        return;
                    }
                    inFlight.addLast(send(frame));
                    while (inFlight.size() > MAX_IN_FLIGHT
                            || (!inFlight.isEmpty() && inFlight.peekFirst().isDone())) {
                        inFlight.pollFirst().get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
                lock.lock();
                try {
                    senderBusy = false;
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // stopped: the connection is gone
        } catch (Exception e) {
            // A frame the fast path sent carries its own time limit: it fails with a TimeoutException inside.
            if (e instanceof TimeoutException || e.getCause() instanceof TimeoutException) {
                fail(CLOSE_TOO_SLOW, "client too slow; reconnect to resume", "the peer stopped reading");
            } else {
                fail(CLOSE_SERVER_ERROR, "sending failed", String.valueOf(e.getCause() != null ? e.getCause() : e));
            }
        }
    }

    /**
     * A frame could not be sent: nothing queued after it may go out (the stream would have a hole),
     * so the connection is closed, and the client, told why, resumes from what it has.
     */
    private void fail(int code, String reason, String detail) {
        lock.lock();
        try {
            if (failed) {
                return; // the sender and the fast path's timer may both see the same failure: one close is enough
            }
            failed = true;
            closing = true;
            queue.clear();
            queuedBytes = 0;
            room.signalAll();
        } finally {
            lock.unlock();
        }
        log.info("websocket send failed, closing {} {}", kv("closeCode", code), kv("error", detail));
        try {
            closeOrCut(code, reason);
        } catch (InterruptedException e) {
            peer.disconnect();
        }
    }

    /** Closes with a close frame; a peer that does not take even that in time is cut off. */
    private void closeOrCut(int code, String reason) throws InterruptedException {
        try {
            peer.close(code, reason).get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException | RuntimeException e) {
            peer.disconnect();
        }
    }

    /** Moves up to MAX_BATCH frames out of the queue (under the lock). */
    private void takeBatch(List<Frame> batch) {
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            Frame next = queue.pollFirst();
            queuedBytes -= next.size();
            batch.add(next);
            if (next.isClose()) {
                break;
            }
        }
        room.signalAll();
    }

    private CompletableFuture<Void> send(Frame frame) {
        unflushed.incrementAndGet();
        CompletableFuture<Void> sent =
                frame.text() != null ? peer.sendText(frame.text()) : peer.sendBinary(ByteBuffer.wrap(frame.binary()));
        sent.whenComplete((ok, error) -> unflushed.decrementAndGet());
        return sent;
    }

    /** The fast path's send, under the lock; a frame that fails or is not flushed in time ends the connection as the sender would. */
    private void sendDirectly(Frame frame) {
        lastDirect = send(frame);
        lastDirect.orTimeout(sendTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
            if (error != null) {
                Thread.ofVirtual().start(() -> {
                    fail(
                            error instanceof TimeoutException ? CLOSE_TOO_SLOW : CLOSE_SERVER_ERROR,
                            error instanceof TimeoutException
                                    ? "client too slow; reconnect to resume"
                                    : "sending failed",
                            String.valueOf(error));
                    sender.interrupt(); // it may be waiting for frames that will never come
                });
            }
        });
    }

    /** Frames sent by the fast path are flushed before a close goes out after them. */
    private void awaitDirect() throws Exception {
        CompletableFuture<Void> last = lastDirect;
        if (last != null) {
            last.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The newest frame the fast path sent (Jetty flushes in order, so it is the last to complete). */
    private volatile CompletableFuture<Void> lastDirect;

    private void awaitAll(java.util.Collection<CompletableFuture<Void>> written) throws Exception {
        for (CompletableFuture<Void> done : written) {
            done.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Compact JSON for control frames. */
}
