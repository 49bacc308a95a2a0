package io.containerlease.events;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Every event of the service, fanned out to its subscribers, with a bounded history a subscriber
 * can resume from. Publishing never waits for a subscriber: each has a bounded queue of its own
 * and a slow one loses its oldest events (and is told how many), never the server's memory.
 */
public final class EventHub {
    /** Events kept for resuming. */
    public static final int DEFAULT_HISTORY = 10_000;

    private final InstantSource clock;
    private final int historySize;
    /** Quiet this long, a subscriber is asked for a heartbeat (proxies close streams that stay silent). */
    private final Duration heartbeat;
    private final ArrayDeque<Event> history = new ArrayDeque<>();
    private final Set<EventSubscription> subscribers = new CopyOnWriteArraySet<>();
    private long nextId;
    /** Where each event published here also goes (the other servers of a shared store); nowhere by default. */
    private volatile java.util.function.Consumer<Event> relay = event -> {};

    public EventHub(InstantSource clock, int historySize) {
        this(clock, historySize, Duration.ofSeconds(15));
    }

    public EventHub(InstantSource clock, int historySize, Duration heartbeat) {
        this.clock = clock;
        this.historySize = historySize;
        this.heartbeat = heartbeat;
        // From the clock, so ids go on increasing across restarts and an old id is seen to be old.
        this.nextId = clock.millis() * 1000;
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
            history.addLast(event);
            if (history.size() > historySize) {
                history.removeFirst();
            }
            // Under the lock, so a subscriber that is replaying history cannot miss or double this one.
            for (EventSubscription s : subscribers) {
                s.offer(event);
            }
        }
        return event;
    }

    /**
     * Subscribes: first the held events after {@code after} (or a gap if some of those are no
     * longer held), then {@link EventSubscription.Sink#caughtUp()}, then every new one, with nothing
     * missed or doubled in between.
     *
     * @param after the last id the subscriber has seen; negative for new events only
     */
    public synchronized EventSubscription subscribe(EventFilter filter, long after, int queueSize, EventSubscription.Sink sink) {
        EventSubscription subscription = new EventSubscription(filter, queueSize, heartbeat, sink, this::unsubscribe);
        if (after >= 0) {
            long oldest = history.isEmpty() ? nextId + 1 : history.peekFirst().id();
            if (after + 1 < oldest && after < nextId) {
                subscription.gap(after + 1, oldest - 1);
            }
            for (Event e : history) {
                if (e.id() > after) {
                    subscription.replay(e);
                }
            }
        }
        subscription.caughtUp();
        subscribers.add(subscription);
        return subscription;
    }

    /** The newest id handed out (before any, the starting point taken from the clock). */
    public synchronized long lastId() {
        return nextId;
    }

    private void unsubscribe(EventSubscription subscription) {
        subscribers.remove(subscription);
    }
}
