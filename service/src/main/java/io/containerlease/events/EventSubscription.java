package io.containerlease.events;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One subscriber's queue and the virtual thread that delivers it. The queue is bounded in events and
 * in bytes ({@link #MAX_QUEUED_BYTES}): when the subscriber cannot keep up, its oldest undelivered
 * events go and a {@code dropped} count is delivered in their place. When nothing happens for a
 * while, the sink is asked for a heartbeat.
 */
public final class EventSubscription implements AutoCloseable {
    /** Where events go; called on the subscription's own thread, one at a time. A throw ends the subscription. */
    public interface Sink {
        void event(Event event) throws Exception;

        /** Events {@code from}..{@code to} are no longer held: they cannot be replayed. */
        void gap(long from, long to) throws Exception;

        /** {@code count} events were dropped because the subscriber fell behind. */
        void dropped(long count) throws Exception;

        /** Nothing to send for a while: proxies keep an idle stream open only if something passes. */
        default void heartbeat() throws Exception {}

        /**
         * Every held event the subscriber asked for has been delivered; what follows is new.
         *
         * @return false to end the subscription here (a reader of the history only)
         */
        default boolean caughtUp() throws Exception {
            return true;
        }
    }

    /** The most bytes of live events one subscriber's queue holds (events a replay adds are held anyway). */
    static final long MAX_QUEUED_BYTES = 4L << 20;

    private final EventFilter filter;
    /** The live queue's bound, raised by what a replay adds (those events are held in memory already). */
    private int capacity;

    private final Sink sink;
    private final Consumer<EventSubscription> onClose;
    private final Duration heartbeat;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long dropped;
    private boolean closed;

    private record Gap(long from, long to) {}

    private record CaughtUp() {}

    /** A live event in the queue, with what it counts against the queue's bytes. */
    private record Sized(Event event, long size) {}

    EventSubscription(
            EventFilter filter, int capacity, Duration heartbeat, Sink sink, Consumer<EventSubscription> onClose) {
        this.heartbeat = heartbeat;
        this.filter = filter;
        this.capacity = capacity;
        this.sink = sink;
        this.onClose = onClose;
        Thread.ofVirtual().name("containerlease-events").start(this::deliver);
    }

    synchronized void offer(Event event, long size) {
        if (!closed && filter.matches(event)) {
            enqueue(event, size);
        }
    }

    /**
     * An event for this subscriber alone, kept in no history (periodic statistics it asked for):
     * dropped, like any other, when the subscriber falls behind.
     */
    public synchronized void offerPrivate(Event event) {
        if (!closed) {
            enqueue(event, EventSizes.of(event));
        }
    }

    private void enqueue(Event event, long size) {
        while (!queue.isEmpty()
                && (queue.size() >= capacity || queuedBytes + size > MAX_QUEUED_BYTES)
                && dropOldestLive()) {
            dropped++;
        }
        queue.addLast(new Sized(event, size));
        queuedBytes += size;
        notifyAll();
    }

    /** Drops the oldest live event in the queue; false when only replayed events and markers are left. */
    private boolean dropOldestLive() {
        for (var it = queue.iterator(); it.hasNext(); ) {
            if (it.next() instanceof Sized sized) {
                it.remove();
                queuedBytes -= sized.size();
                return true;
            }
        }
        return false;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** A held event the subscriber asked for: never dropped for arriving all at once with the rest. */
    synchronized void replay(Event event) {
        if (!closed && filter.matches(event)) {
            queue.addLast(event);
            capacity++;
            notifyAll();
        }
    }

    /** Marks where the replay ends. */
    synchronized void caughtUp() {
        queue.addLast(new CaughtUp());
        notifyAll();
    }

    synchronized void gap(long from, long to) {
        queue.addLast(new Gap(from, to));
        notifyAll();
    }

    private void deliver() {
        try {
            while (true) {
                Object next;
                long droppedNow;
                synchronized (this) {
                    long waitUntil = System.nanoTime() + heartbeat.toNanos();
                    while (!closed && queue.isEmpty() && dropped == 0 && System.nanoTime() < waitUntil) {
                        wait(Math.max(1, (waitUntil - System.nanoTime()) / 1_000_000));
                    }
                    if (closed) {
                        return;
                    }
                    droppedNow = dropped;
                    dropped = 0;
                    next = queue.pollFirst();
                    if (next instanceof Sized sized) {
                        queuedBytes -= sized.size();
                    }
                }
                if (droppedNow > 0) {
                    sink.dropped(droppedNow);
                }
                switch (next) {
                    case null -> {
                        if (droppedNow == 0) {
                            sink.heartbeat();
                        }
                    }
                    case Gap g -> sink.gap(g.from(), g.to());
                    case CaughtUp c -> {
                        if (!sink.caughtUp()) {
                            return;
                        }
                    }
                    case Sized sized -> sink.event(sized.event());
                    case Event e -> sink.event(e);
                    default -> throw new IllegalStateException("unexpected " + next);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The subscriber is gone (its connection closed): nothing more to deliver.
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            notifyAll();
        }
        onClose.accept(this);
    }
}
