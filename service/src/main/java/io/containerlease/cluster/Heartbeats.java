package io.containerlease.cluster;

import java.time.Duration;
import java.util.List;

/** Where the servers sharing one store say that they are alive, and on which engine they run. */
public interface Heartbeats {
    /**
     * Says {@code instance} is alive for {@code ttl} more.
     *
     * @return false when its previous beat had lapsed (or this is its first): other servers may have
     *         declared it dead and taken over its leases meanwhile
     */
    boolean beat(String instance, String engineId, Duration ttl);

    /** The servers known to the store whose heartbeat has lapsed and that ran on {@code engineId}. */
    List<String> dead(String engineId);

    /** The servers other than {@code self} whose heartbeat is current. */
    java.util.Set<String> alive(String self);

    /** Forgets a dead server once nothing of it is left to take over. */
    void forget(String instance);
}
