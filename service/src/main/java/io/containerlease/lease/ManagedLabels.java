package io.containerlease.lease;

import java.util.Map;

/**
 * The labels that mark a container as ours. They are the truth about ownership (the store is the
 * truth about time: labels cannot change after creation, so expires-at here is only informative).
 */
public final class ManagedLabels {
    public static final String LEASE_ID = "containerlease.lease-id";
    /** The installation (the store's id): what the service lists and watches by. Kept under this name for containers made before clusters. */
    public static final String INSTANCE = "containerlease.instance";
    /** The same store id, under the name that says what it is: servers sharing a store are one cluster. */
    public static final String CLUSTER = "containerlease.cluster";
    /** The server that made it (on one store with several servers; otherwise the store's id again). */
    public static final String SERVER = "containerlease.server";

    public static final String CREATED_AT = "containerlease.created-at";
    public static final String EXPIRES_AT = "containerlease.expires-at";
    public static final String IMAGE_TYPE = "containerlease.image-type";
    /**
     * When the container ends itself should no server of ours be alive then (our helper, its PID 1,
     * holds it): fixed at creation, like every label, so it is the container's own promise.
     */
    public static final String DEADLINE = "containerlease.deadline";
    /**
     * On a warm-pool container: the server whose pool made it. Its lease id label is the id its lease
     * will get when a request takes it (until then the store has no such lease).
     */
    public static final String POOL = "containerlease.pool";
    /**
     * On a warm-pool container: a digest of its image type's spec and of the service's build (our
     * helper's), so a container made by another version or from another catalog entry is replaced,
     * not handed out, after a restart.
     */
    public static final String POOL_MADE_AS = "containerlease.pool-made-as";

    private static final String NAME_PREFIX = "containerlease-";

    private ManagedLabels() {}

    public static Map<String, String> forLease(Lease lease, String instanceId) {
        return forLease(lease, instanceId, instanceId);
    }

    /** @param cluster the store's id; @param server the server making the container */
    public static Map<String, String> forLease(Lease lease, String cluster, String server) {
        return Map.of(
                LEASE_ID, lease.id().value(),
                INSTANCE, cluster,
                CLUSTER, cluster,
                SERVER, server,
                CREATED_AT, lease.createdAt().toString(),
                EXPIRES_AT, lease.expiresAt().toString(),
                IMAGE_TYPE, lease.imageType());
    }

    /** A warm-pool container's: made before its lease, so it has no expiry, and its creation time is the pool's. */
    public static Map<String, String> forPool(
            LeaseId futureLease,
            String imageType,
            java.time.Instant createdAt,
            String cluster,
            String server,
            String madeAs) {
        return Map.of(
                POOL_MADE_AS, madeAs,
                LEASE_ID, futureLease.value(),
                INSTANCE, cluster,
                CLUSTER, cluster,
                SERVER, server,
                CREATED_AT, createdAt.toString(),
                IMAGE_TYPE, imageType,
                POOL, server);
    }

    /** A lease's container is named after it, so it can be found and removed even before its id is known. */
    public static String containerName(LeaseId id) {
        return NAME_PREFIX + id.value();
    }
}
