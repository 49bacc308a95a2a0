package io.containerlease.cluster;

import java.util.OptionalLong;

/** A request allowance per client that every server of a shared store draws from. */
public interface SharedRateLimit {
    /**
     * Takes one request from {@code client}'s allowance of {@code perMinute}.
     *
     * @return empty when the request may go, else the seconds until it may
     */
    OptionalLong take(String client, int perMinute);
}
