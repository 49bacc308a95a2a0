package io.containerlease.events;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Every event of the service, fanned out to its subscribers, with a history a subscriber can resume
 * from, bounded in bytes and shared fairly between users ({@link EventHistory}). Publishing never
 * waits for a subscriber: each has a bounded queue of its own and a slow one loses its oldest events
 * (and is told how many), never the server's memory.
 */
public final class EventHub {
    /** Events kept for resuming, at most. */
    public static final int DEFAULT_HISTORY = 10_000;
    /** Bytes of events kept for resuming, at most (EVENT_HISTORY_BYTES's default). */
    public static final long DEFAULT_HISTORY_BYTES = 16L << 20;
    /** How long a subscriber may go without a frame before it is sent a heartbeat. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final InstantSource clock;
    /** Quiet this long, a subscriber is asked for a heartbeat (proxies close streams that stay silent). */
    private final Duration heartbeat;

    private final EventHistory history;
    private final Set<EventSubscription> subscribers = new CopyOnWriteArraySet<>();
    /** Ids up to this one were handed out before this hub began (by an earlier run of the service). */
    private final long before;

    private long nextId;
    /** Where each event published here also goes (the other servers of a shared store); nowhere by default. */
    private volatile java.util.function.Consumer<Event> relay = event -> {};

    /** A hub keeping at most {@code maxEvents} events and {@link #DEFAULT_HISTORY_BYTES}. */
    public EventHub(InstantSource clock, int maxEvents) {
        this(clock, DEFAULT_HISTORY_BYTES, maxEvents, HEARTBEAT);
    }

    public EventHub(InstantSource clock, int maxEvents, Duration heartbeat) {
        this(clock, DEFAULT_HISTORY_BYTES, maxEvents, heartbeat);
    }

    public EventHub(InstantSource clock, long maxBytes, int maxEvents, Duration heartbeat) {
        this.clock = clock;
        this.history = new EventHistory(maxBytes, maxEvents);
        this.heartbeat = heartbeat;
        // From the clock, so ids go on increasing across restarts and an old id is seen to be old.
        this.nextId = clock.millis() * 1000;
        this.before = nextId;
    }

    /** Sends every event published from now on to {@code relay} too, after its subscribers have it. */
    public void relayTo(java.util.function.Consumer<Event> relay) {
        this.relay = relay;
    }

    /** Records an event and hands it to every subscriber it matches, then to the relay. */
    public Event publish(String type, String leaseId, String user, Map<String, Object> data) {
        Event event = record(type, leaseId, user, clock.instant(), data);
        relay.accept(event);
        return event;
    }

    /** An event another server published: recorded and handed out here with an id of this hub's, never relayed again. */
    public Event receive(String type, String leaseId, String user, java.time.Instant at, Map<String, Object> data) {
        return record(type, leaseId, user, at, data);
    }

    private Event record(String type, String leaseId, String user, java.time.Instant at, Map<String, Object> data) {
        Event event;
        synchronized (this) {
            event = new Event(++nextId, at, type, leaseId, user, data);
            long size = EventSizes.of(event);
            history.add(event, size);
            // Under the lock, so a subscriber that is replaying history cannot miss or double this one.
            for (EventSubscription s : subscribers) {
                s.offer(event, size);
            }
        }
        return event;
    }

    /**
     * Subscribes: first the held events after {@code after} (after a gap if some the subscriber may
     * see are no longer held), then {@link EventSubscription.Sink#caughtUp()}, then every new one,
     * with nothing missed or doubled in between.
     *
     * @param after the last id the subscriber has seen; negative for new events only
     */
    public synchronized EventSubscription subscribe(
            EventFilter filter, long after, int queueSize, EventSubscription.Sink sink) {
        EventSubscription subscription = new EventSubscription(filter, queueSize, heartbeat, sink, this::unsubscribe);
        if (after >= 0) {
            EventHistory.Replay replay = history.after(after, filter.onlyUser());
            // Ids of an earlier run are not held; nor are those dropped from this subscriber's users' history.
            long missedThrough = Math.max(Math.min(before, nextId), replay.droppedThrough());
            if (after < missedThrough) {
                subscription.gap(after + 1, missedThrough);
            }
            replay.events().forEach(subscription::replay);
        }
        subscription.caughtUp();
        subscribers.add(subscription);
        return subscription;
    }

    /** The estimated bytes the history holds now (for /healthz and tests). */
    public synchronized long historyBytes() {
        return history.bytes();
    }

    /** The newest id handed out (before any, the starting point taken from the clock). */
    public synchronized long lastId() {
        return nextId;
    }

    private void unsubscribe(EventSubscription subscription) {
        subscribers.remove(subscription);
    }
}
