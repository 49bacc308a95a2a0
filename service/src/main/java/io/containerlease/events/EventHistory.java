package io.containerlease.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The events kept for resuming, bounded in bytes (each event's {@link EventSizes estimated} size)
 * and in count, and shared fairly between users: when over its bounds, the history drops the oldest
 * event of the user who holds the most bytes. So a tenant whose program floods the channel trims
 * its own history first and never evicts another user's while it holds more than they do (max-min
 * fairness, as a fair queue shares a link). Each user's events stay in id order; a subscriber
 * resuming from an id older than what its users still hold is told of the gap.
 *
 * <p>Not thread-safe: {@link EventHub} holds its lock around every call.
 */
final class EventHistory {
    private record Entry(Event event, long size) {}

    /** A user's held events, oldest first, and the newest id dropped from them. */
    private static final class Held {
        final ArrayDeque<Entry> events = new ArrayDeque<>();
        long bytes;
        long droppedThrough = -1;
    }

    /** Events about no user are kept under this key. */
    private static final String NO_USER = "";

    private final long maxBytes;
    private final int maxEvents;
    private final Map<String, Held> byUser = new HashMap<>();
    private long bytes;
    private int count;

    EventHistory(long maxBytes, int maxEvents) {
        if (maxBytes < 1 || maxEvents < 1) {
            throw new IllegalArgumentException("an event history must hold something");
        }
        this.maxBytes = maxBytes;
        this.maxEvents = maxEvents;
    }

    /** Keeps {@code event}, whose {@link EventSizes#of estimated size} is {@code size}, dropping others' as the bounds need. */
    void add(Event event, long size) {
        Held held = byUser.computeIfAbsent(key(event.user()), k -> new Held());
        held.events.addLast(new Entry(event, size));
        held.bytes += size;
        bytes += size;
        count++;
        while (bytes > maxBytes || count > maxEvents) {
            dropOldestOf(held.bytes * 2 > bytes ? held : largest());
        }
    }

    private Held largest() {
        return byUser.values().stream()
                .max(Comparator.comparingLong(h -> h.bytes))
                .orElseThrow();
    }

    private void dropOldestOf(Held held) {
        Entry dropped = held.events.pollFirst();
        held.bytes -= dropped.size();
        bytes -= dropped.size();
        count--;
        held.droppedThrough = dropped.event().id();
    }

    /**
     * The held events after {@code after}, in id order, of {@code user} (empty: of everyone), and the
     * newest id of theirs that is no longer held (-1 when none was dropped).
     */
    Replay after(long after, Optional<String> user) {
        List<Held> heldFor = user.map(
                        u -> Optional.ofNullable(byUser.get(key(u))).stream().toList())
                .orElseGet(() -> new ArrayList<>(byUser.values()));
        List<Event> events = new ArrayList<>();
        long droppedThrough = -1;
        for (Held held : heldFor) {
            droppedThrough = Math.max(droppedThrough, held.droppedThrough);
            for (var it = held.events.descendingIterator(); it.hasNext(); ) {
                Event e = it.next().event();
                if (e.id() <= after) {
                    break;
                }
                events.add(e);
            }
        }
        events.sort(Comparator.comparingLong(Event::id));
        return new Replay(events, droppedThrough);
    }

    record Replay(List<Event> events, long droppedThrough) {}

    long bytes() {
        return bytes;
    }

    int count() {
        return count;
    }

    private static String key(String user) {
        return user == null ? NO_USER : user;
    }
}
