package io.containerlease.store;

import io.containerlease.cluster.Broadcast;
import io.containerlease.cluster.Heartbeats;
import io.containerlease.cluster.SharedRateLimit;
import io.containerlease.program.code.CodeVersions;

/**
 * What a store that several servers share adds to the leases: their heartbeats, messages to all of
 * them, one request allowance per client, and code versions any of them can read.
 */
public interface SharedStore {
    /** This server, as the holder of the leases it makes. */
    String serverId();

    Heartbeats heartbeats();

    /** Messages to every server on the store, on {@code topic}. */
    Broadcast broadcast(String topic);

    SharedRateLimit rateLimit();

    CodeVersions codeVersions();
}
