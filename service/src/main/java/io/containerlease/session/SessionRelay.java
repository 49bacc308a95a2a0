package io.containerlease.session;

import io.containerlease.cluster.Broadcast;
import io.containerlease.lease.LeaseId;
import io.containerlease.schedule.PeriodicTask;
import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes a lease's session rules hold across the servers of a shared store: each server tells the
 * others how many connections it has to each lease (on every change, and all of them every few
 * seconds, since pub/sub may lose a message), and each activity on a lease (at most once a second per
 * lease). A server's report that is not renewed within {@link #STALE} (it died, or its messages are
 * lost) stops counting.
 *
 * <p>Messages are lines of text: {@code c <server> <lease> <count>} and {@code t <server> <lease>}.
 */
public final class SessionRelay implements ConnectionsElsewhere, AutoCloseable {
    static final Duration REFRESH = Duration.ofSeconds(5);
    static final Duration STALE = REFRESH.multipliedBy(3);
    private static final long TOUCH_EVERY_MILLIS = 1000;

    private final String self;
    private final Broadcast broadcast;
    private final LeaseConnections connections;
    private final IdleTimers idle;
    private final PeriodicTask refresh;
    private final java.time.InstantSource clock;
    /** lease → server → (count, when it was reported, in the clock's milliseconds). */
    private final Map<LeaseId, Map<String, Report>> elsewhere = new ConcurrentHashMap<>();

    private final Map<LeaseId, Long> lastTouchSent = new ConcurrentHashMap<>();

    private record Report(int count, long atMillis) {}

    public SessionRelay(
            String self,
            Broadcast broadcast,
            LeaseConnections connections,
            IdleTimers idle,
            TaskScheduler scheduler,
            java.time.InstantSource clock) {
        this.self = self;
        this.clock = clock;
        this.broadcast = broadcast;
        this.connections = connections;
        this.idle = idle;
        this.refresh = new PeriodicTask(scheduler, REFRESH, this::refresh, e -> {});
    }

    public void start() {
        broadcast.listen(this::receive);
        connections.countElsewhere(this);
        idle.reportTouchesTo(this::touched);
        refresh.start(REFRESH);
    }

    @Override
    public int count(LeaseId id) {
        Map<String, Report> byServer = elsewhere.get(id);
        if (byServer == null) {
            return 0;
        }
        long now = clock.millis();
        return byServer.values().stream()
                .filter(r -> now - r.atMillis() < STALE.toMillis())
                .mapToInt(Report::count)
                .sum();
    }

    @Override
    public void report(LeaseId id, int here) {
        broadcast.send("c " + self + " " + id.value() + " " + here);
    }

    private void touched(LeaseId id) {
        long now = clock.millis();
        Long last = lastTouchSent.get(id);
        if (last == null || now - last >= TOUCH_EVERY_MILLIS) {
            lastTouchSent.put(id, now);
            broadcast.send("t " + self + " " + id.value());
        }
    }

    void receive(String message) {
        String[] parts = message.split(" ");
        if (parts.length < 3 || parts[1].equals(self) || !LeaseId.isValid(parts[2])) {
            return;
        }
        LeaseId id = new LeaseId(parts[2]);
        switch (parts[0]) {
            case "t" -> idle.touchedElsewhere(id);
            case "c" -> {
                // A count that is not one (a server of another version, a corrupted message) is no report.
                if (parts.length == 4 && parts[3].matches("[0-9]{1,6}")) {
                    int before = count(id);
                    elsewhere
                            .computeIfAbsent(id, x -> new ConcurrentHashMap<>())
                            .put(parts[1], new Report(Integer.parseInt(parts[3]), clock.millis()));
                    if ((before == 0) != (count(id) == 0)) {
                        connections.elsewhereChanged(id);
                    }
                }
            }
            default -> {}
        }
    }

    /** Sends this server's counts again, and drops the reports nobody renewed. */
    private void refresh() {
        connections.localCounts().forEach(this::report);
        long now = clock.millis();
        elsewhere.forEach((id, byServer) -> {
            int before = byServer.values().stream().mapToInt(Report::count).sum();
            byServer.values().removeIf(r -> now - r.atMillis() >= STALE.toMillis() || r.count() == 0);
            if (byServer.isEmpty()) {
                elsewhere.remove(id, byServer);
            }
            if (before > 0 && count(id) == 0) {
                connections.elsewhereChanged(id);
            }
        });
        lastTouchSent.entrySet().removeIf(e -> now - e.getValue() > STALE.toMillis());
    }

    @Override
    public void close() {
        refresh.close();
        broadcast.close();
    }
}
