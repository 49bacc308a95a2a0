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
        store = RedisLeaseStore.open(redis.url(), "test-server");
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
        store = RedisLeaseStore.open(redis.url(), "test-server");
        assertThat(store.instanceId()).isEqualTo(instance);
        assertThat(store.find(lease.id()).orElseThrow().state()).isEqualTo(LeaseState.RUNNING);
    }

    @Test
    void whileRedisIsDownCallsFailAtOnceAndWorkAgainWhenItIsBack() {
        Lease lease = running();
        redis.kill();
        long started = System.nanoTime();
        assertThatThrownBy(() -> store.find(lease.id())).isInstanceOf(StoreException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
        redis.restart();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> store.find(lease.id()).isPresent());
        assertThat(store.markRunning(lease.id(), "again")).isFalse();
    }

    @Test
    void onlyTheHoldingServerEndsALeaseOnItsOwnAndAServerThatDiedHasItsLeasesTakenOver() {
        Lease lease = running();
        try (var other = RedisLeaseStore.open(redis.url(), "other-server")) {
            var beats = other.heartbeats();
            assertThat(beats.beat("test-server", "engine-1", Duration.ofSeconds(30)))
                    .isFalse(); // its first beat
            java.time.Instant due = lease.expiresAt();
            assertThat(other.beginEndIfExpired(lease.id(), due))
                    .as("not held by the other server")
                    .isFalse();
            assertThat(other.takeOver("test-server"))
                    .as("its heartbeat is alive")
                    .isEmpty();
            assertThat(beats.dead("engine-1")).isEmpty();

            assertThat(beats.beat("test-server", "engine-1", Duration.ofMillis(200)))
                    .isTrue();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> beats.dead("engine-1").contains("test-server"));
            assertThat(beats.dead("engine-2"))
                    .as("only a server on the same engine takes over")
                    .isEmpty();
            assertThat(other.holder(lease.id())).contains("test-server");
            assertThat(other.takeOver("test-server")).containsExactly(lease.id());
            assertThat(store.holder(lease.id()))
                    .as("every server sees the new holder")
                    .contains("other-server");
            assertThat(other.held()).containsExactly(lease.id());
            assertThat(store.held()).isEmpty();
            assertThat(store.beginEndIfExpired(lease.id(), due))
                    .as("the server that lost it cannot end it")
                    .isFalse();
            assertThat(store.updateExpiry(
                            lease.id(), lease.expiresAt(), lease.expiresAt().plusSeconds(1), T0))
                    .as("a user's extension goes through any server")
                    .isTrue();
            assertThat(other.beginEndIfExpired(lease.id(), due.plusSeconds(1))).isTrue();
            assertThat(other.markEnded(lease.id(), due.plusSeconds(2))).isTrue();
            assertThat(other.held()).isEmpty();
            beats.forget("test-server");
            assertThat(beats.dead("engine-1")).isEmpty();
        }
    }

    @Test
    void codeVersionsAreOneListForEveryServerAndOneUpdateAtATime() {
        try (var other = RedisLeaseStore.open(redis.url(), "other-server")) {
            new io.containerlease.program.code.CodeVersionsContract() {}.check(
                    ((RedisLeaseStore) store).codeVersions(), other.codeVersions());
        }
    }

    @Test
    void theRateLimitIsOneAllowanceForEveryServer() {
        try (var other = RedisLeaseStore.open(redis.url(), "other-server")) {
            var here = ((RedisLeaseStore) store).rateLimit();
            var there = other.rateLimit();
            assertThat(here.take("10.0.0.1", 4)).isEmpty();
            assertThat(there.take("10.0.0.1", 4)).isEmpty();
            assertThat(here.take("10.0.0.1", 4)).isEmpty();
            assertThat(there.take("10.0.0.1", 4)).isEmpty();
            var fifth = here.take("10.0.0.1", 4);
            assertThat(fifth).as("four a minute, wherever they arrive").isPresent();
            assertThat(fifth.getAsLong()).isBetween(1L, 15L);
            assertThat(there.take("10.0.0.2", 4))
                    .as("another client has its own")
                    .isEmpty();
        }
    }

    @Test
    void aStoreThatCannotBeReachedSaysWhere() {
        redis.kill();
        assertThatThrownBy(() -> RedisLeaseStore.open(redis.url(), "test-server"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("127.0.0.1:" + redis.port());
    }
}
