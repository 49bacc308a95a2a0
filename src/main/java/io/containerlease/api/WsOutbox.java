package io.containerlease.api;

import io.containerlease.session.LeaseConnections;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Everything a server sends on one WebSocket goes through here: a bounded queue drained by one
 * sender thread that writes a batch of frames and waits until they are flushed. A slow reader therefore slows only its own
 * queue, and the queue never grows past its bounds: the oldest droppable frames (log lines) go first,
 * announced by {@code {type: "dropped", count}}; when nothing can be dropped (terminal bytes), the
 * connection is closed with 1013 so the client resumes from its last offset.
 */
final class WsOutbox implements LeaseConnections.Channel {
    static final int CLOSE_TOO_SLOW = 1013;
    private static final long SEND_TIMEOUT_SECONDS = 60;
    /** Frames written before waiting for Jetty to flush them. */
    private static final int MAX_BATCH = 64;

    private final Session session;
    private final int maxFrames;
    private final long maxBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long dropped;
    private boolean closing;
    private final Thread sender;

    private record Frame(String text, byte[] binary, boolean droppable, int closeCode, String closeReason) {
        long size() {
            return text != null ? text.length() : binary != null ? binary.length : 0;
        }

        boolean isClose() {
            return closeCode != 0;
        }
    }

    WsOutbox(Session session, int maxFrames, long maxBytes) {
        this.session = session;
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.sender = Thread.ofVirtual().name("ws-sender").start(this::drain);
    }

    /** A frame that may be dropped under pressure (a log line). */
    void droppableText(String text) {
        enqueue(new Frame(text, null, true, 0, null));
    }

    void binary(byte[] data) {
        enqueue(new Frame(null, data, false, 0, null));
    }

    @Override
    public void sendControl(Map<String, Object> message) {
        enqueue(new Frame(JsonText.of(message), null, false, 0, null));
    }

    /** Closes after everything already queued has been sent. */
    @Override
    public void close(int code, String reason) {
        enqueue(new Frame(null, null, false, code, reason));
    }

    /** The connection is gone: stop sending. Idempotent. */
    void stop() {
        lock.lock();
        try {
            closing = true;
            queue.clear();
            ready.signalAll();
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
            queue.addLast(frame);
            queuedBytes += frame.size();
            if (frame.isClose()) {
                closing = true;
            }
            while (!closing && (queue.size() > maxFrames || queuedBytes > maxBytes)) {
                if (!dropOldestDroppable()) {
                    // Nothing may be dropped without corrupting the stream: let the client resume instead.
                    queue.clear();
                    queuedBytes = 0;
                    queue.addLast(new Frame(null, null, false, CLOSE_TOO_SLOW, "client too slow; reconnect to resume"));
                    closing = true;
                }
            }
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean dropOldestDroppable() {
        for (Iterator<Frame> it = queue.iterator(); it.hasNext(); ) {
            Frame f = it.next();
            if (f.droppable()) {
                it.remove();
                queuedBytes -= f.size();
                dropped++;
                return true;
            }
        }
        return false;
    }

    private void drain() {
        List<Frame> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                batch.clear();
                lock.lock();
                try {
                    while (queue.isEmpty()) {
                        ready.await(); // stop() interrupts this
                    }
                    takeBatch(batch);
                } finally {
                    lock.unlock();
                }
                List<Callback.Completable> written = new ArrayList<>(batch.size());
                for (Frame frame : batch) {
                    if (frame.isClose()) {
                        awaitAll(written);
                        session.close(frame.closeCode(), frame.closeReason(), Callback.NOOP);
                        return;
                    }
                    written.add(send(frame));
                }
                // Jetty keeps frames in order; waiting once per batch bounds what is in flight.
                awaitAll(written);
            }
        } catch (InterruptedException e) {
            // stopped: the connection is gone
        } catch (Exception e) {
            // the peer went away mid-send; the close callbacks clean up
        }
    }

    /** Moves up to MAX_BATCH frames out of the queue, with a dropped notice ahead of the first line after drops. */
    private void takeBatch(List<Frame> batch) {
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            Frame next = queue.pollFirst();
            queuedBytes -= next.size();
            if (next.droppable() && dropped > 0) {
                batch.add(new Frame(JsonText.of(Map.of("type", "dropped", "count", dropped)), null, false, 0, null));
                dropped = 0;
            }
            batch.add(next);
            if (next.isClose()) {
                return;
            }
        }
    }

    private Callback.Completable send(Frame frame) {
        Callback.Completable done = new Callback.Completable();
        if (frame.text() != null) {
            session.sendText(frame.text(), done);
        } else {
            session.sendBinary(ByteBuffer.wrap(frame.binary()), done);
        }
        return done;
    }

    private static void awaitAll(List<Callback.Completable> written) throws Exception {
        for (Callback.Completable done : written) {
            done.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Compact JSON for control frames. */
    static final class JsonText {
        private JsonText() {}

        static String of(Object value) {
            try {
                return Json.MAPPER.writeValueAsString(value);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
