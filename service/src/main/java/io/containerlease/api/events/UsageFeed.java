package io.containerlease.api.events;

import io.containerlease.api.support.ApiException;
import io.containerlease.containers.ContainerStates;
import io.containerlease.containers.ContainerStatus;
import io.containerlease.containers.UsageWatch;
import io.containerlease.events.Event;
import io.containerlease.events.EventFilter;
import io.containerlease.events.EventSubscription;
import io.containerlease.lease.ContainerUsage;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code container.stats} events for an event subscriber that asks for them ({@code ?stats=5s}, with
 * a {@code leaseId}): its lease's usage at that interval, to it alone, while its container runs.
 */
public final class UsageFeed {
    private static final Pattern INTERVAL = Pattern.compile("(\\d{1,2})s");

    private final LeaseService leases;
    private final ContainerStates containers;
    private final UsageWatch usage;
    private final InstantSource clock;

    public UsageFeed(LeaseService leases, ContainerStates containers, UsageWatch usage, InstantSource clock) {
        this.leases = leases;
        this.containers = containers;
        this.usage = usage;
        this.clock = clock;
    }

    /** The asked interval, checked: 1 to 60 seconds, for one lease the caller may see. */
    public Optional<Duration> interval(String raw, EventFilter filter) {
        if (raw == null || raw.isEmpty()) {
            return Optional.empty();
        }
        var m = INTERVAL.matcher(raw);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 60) {
            throw ApiException.badRequest("invalid_query", "'stats' is an interval of 1s to 60s, like 5s");
        }
        String leaseId = filter.leaseId()
                .orElseThrow(() -> ApiException.badRequest(
                        "invalid_query", "'stats' needs 'leaseId': statistics are measured for one lease at a time"));
        leases.get(new LeaseId(leaseId), filter.caller()); // someone else's lease is not found
        return Optional.of(Duration.ofSeconds(Integer.parseInt(m.group(1))));
    }

    /** Feeds the subscription until it closes. */
    public void start(EventSubscription subscription, EventFilter filter, Optional<Duration> every) {
        if (every.isEmpty()) {
            return;
        }
        LeaseId id = new LeaseId(filter.leaseId().orElseThrow());
        Thread.ofVirtual().name("containerlease-usage-feed").start(() -> {
            try {
                while (!subscription.isClosed()) {
                    Thread.sleep(every.get().toMillis());
                    Optional<ContainerStatus> status = containers.status(id);
                    if (status.isEmpty()) {
                        return; // the lease has ended
                    }
                    if (status.get().state() != ContainerStatus.State.RUNNING) {
                        continue;
                    }
                    try {
                        ContainerUsage u = usage.sample(id);
                        subscription.offerPrivate(
                                new Event(0, clock.instant(), "container.stats", id.value(), owner(id), json(u)));
                    } catch (UsageWatch.Unavailable busy) {
                        // no sample this time; the next tick asks again
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private String owner(LeaseId id) {
        try {
            return leases.get(id, io.containerlease.lease.Caller.ANONYMOUS_ADMIN)
                    .owner();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Map<String, Object> json(ContainerUsage u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cpuPercent", u.cpuPercent());
        out.put("memoryBytes", u.memoryBytes());
        out.put("memoryLimitBytes", u.memoryLimitBytes());
        out.put("pids", u.pids());
        return out;
    }
}
