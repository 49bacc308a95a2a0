package io.containerlease.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseState;
import io.containerlease.lease.StoreException;
import io.containerlease.store.redis.RedisLeaseStore;
import io.containerlease.support.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real, private redis-server; and what Redis adds: a restart keeps what was acknowledged. */
class RedisLeaseStoreIT extends LeaseStoreContract {
    @TempDir
    Path dir;
    private RedisServer redis;

    @BeforeEach
    void open() {
        redis = RedisServer.start(dir);
        store = RedisLeaseStore.open(redis.url());
    }

    @AfterEach
    void close() {
        store.close();
        redis.close();
    }

    @Test
    void acknowledgedChangesAndTheInstanceIdSurviveARedisRestart() {
        Lease lease = running();
        String instance = store.instanceId();
        store.close();
        redis.restart();
        store = RedisLeaseStore.open(redis.url());
        assertThat(store.instanceId()).isEqualTo(instance);
        assertThat(store.find(lease.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
    }

    @Test
    void aSecondServerOnTheSameStoreIsRefusedWhileTheFirstRuns() {
        assertThatThrownBy(() -> RedisLeaseStore.open(redis.url())).isInstanceOf(StoreException.class)
                .hasMessageContaining("another ContainerLease server");
        store.close();
        store = RedisLeaseStore.open(redis.url()); // the first one's claim went with it
    }

    @Test
    void whileRedisIsDownCallsFailAtOnceAndWorkAgainWhenItIsBack() {
        Lease lease = running();
        redis.kill();
        long started = System.nanoTime();
        assertThatThrownBy(() -> store.find(lease.id())).isInstanceOf(StoreException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
        redis.restart();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> store.find(lease.id()).isPresent());
        assertThat(store.markRunning(lease.id(), "again")).isFalse();
    }

    @Test
    void aStoreThatCannotBeReachedSaysWhere() {
        redis.kill();
        assertThatThrownBy(() -> RedisLeaseStore.open(redis.url())).isInstanceOf(StoreException.class)
                .hasMessageContaining("127.0.0.1:" + redis.port());
    }
}
