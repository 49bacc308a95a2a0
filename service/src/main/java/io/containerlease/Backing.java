package io.containerlease;

import io.containerlease.cluster.InstanceIds;
import io.containerlease.config.ImageCatalog;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.StoreException;
import io.containerlease.store.DurableStore;
import io.containerlease.store.redis.RedisLeaseStore;
import io.containerlease.store.sqlite.SqliteLeaseStore;

/** What the service stands on, opened first and closed last: the store, the users, the catalog and the engine. */
record Backing(DurableStore store, Users users, ImageCatalog catalog, Engine engine) {

    static Backing open(Foundation base, Started started) {
        ServiceConfig config = base.config();
        DurableStore store = started.add(openStore(config));
        DataDirPermissions.tighten(config.dataDir());
        var catalog = ImageCatalog.load(config.imageCatalog());
        var users = Users.load(config, base.random(), base.redactor(), started);
        // The one runtime choice.
        var engine = switch (config.runtime().kind()) {
            case DOCKER -> DockerAssembly.connect(config, catalog, store, started);
            case KUBERNETES -> KubernetesAssembly.connect(config, started);
        };
        return new Backing(store, users, catalog, engine);
    }

    /**
     * SQLite in DATA_DIR, or the Redis that STORE names (where each server has an id of its own and
     * holds the leases it makes); a Redis that does not answer stops the start with where it was looked for.
     */
    private static DurableStore openStore(ServiceConfig config) {
        if (config.redisUrl().isEmpty()) {
            return SqliteLeaseStore.open(config.dataDir().resolve("containerlease.db"));
        }
        try {
            return RedisLeaseStore.open(config.redisUrl().get(), InstanceIds.load(config.dataDir()));
        } catch (StoreException e) {
            throw new StartupException(
                    "STORE: " + e.getMessage() + " (start Redis, or leave STORE unset for the embedded SQLite store)",
                    e);
        }
    }
}
