package io.containerlease.api.access;

import io.containerlease.cluster.SharedRateLimit;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decides whether a client's request may go now: RATE_LIMIT_PER_MINUTE per client. */
public interface RequestLimiter {
    /** Takes one request; empty when it may go, else the seconds until one may. */
    public OptionalLong acquire(String client);

    /**
     * The allowance every server of a shared store draws from, so a client cannot multiply its
     * limit by the number of servers. While the store does not answer, this server's own buckets
     * decide (a limiter must not take the service down with it).
     */
    public static RequestLimiter shared(SharedRateLimit shared, int perMinute, RateLimiter local) {
        Logger log = LoggerFactory.getLogger(RequestLimiter.class);
        return client -> {
            try {
                return shared.take(client, perMinute);
            } catch (RuntimeException e) {
                log.debug("the shared rate limit did not answer; this server's own decides: {}", e.getMessage());
                return local.acquire(client);
            }
        };
    }
}
