package io.containerlease.store.redis;

import static io.containerlease.store.redis.RedisLeaseStore.call;

import io.containerlease.lease.StoreException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a second server off a Redis store that one already uses. Until instances coordinate
 * (owners, heartbeats, takeover and fencing), two servers on one store would each reconcile the
 * other's leases as their own, so only one may run: it holds a key that expires unless renewed, and
 * a server that starts while the key is held waits for it to expire (a killed server's lapses within
 * {@link #TTL}) and then refuses to start.
 */
final class RedisSoleInstance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisSoleInstance.class);
    static final Duration TTL = Duration.ofSeconds(6);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(2);
    private static final String KEY = RedisLeaseStore.PREFIX + "meta:active-instance";
    /** Renews the key only while it is still this server's. */
    private static final String RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private final RedisCommands<String, String> redis;
    private final String token = UUID.randomUUID().toString();
    private final Thread renewer;
    private volatile boolean closed;

    private RedisSoleInstance(RedisCommands<String, String> redis) {
        this.redis = redis;
        this.renewer = Thread.ofVirtual().name("redis-sole-instance").unstarted(this::renew);
    }

    /** @throws StoreException when another server keeps the store for longer than {@link #TTL} */
    static RedisSoleInstance acquire(RedisCommands<String, String> redis) {
        var lock = new RedisSoleInstance(redis);
        long deadline = System.nanoTime() + TTL.plusSeconds(1).toNanos();
        while (!lock.tryTake()) {
            if (System.nanoTime() > deadline) {
                throw new StoreException("another ContainerLease server uses this Redis store; one server per store for now", null);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for the Redis store", e);
            }
        }
        lock.renewer.start();
        return lock;
    }

    private boolean tryTake() {
        return "OK".equals(call(() -> redis.set(KEY, token, SetArgs.Builder.nx().px(TTL.toMillis()))));
    }

    private void renew() {
        while (!closed) {
            try {
                Thread.sleep(RENEW_EVERY);
                Long renewed = redis.eval(RENEW, ScriptOutputType.INTEGER, new String[] {KEY}, token, Long.toString(TTL.toMillis()));
                if (renewed == 0 && !tryTake()) {
                    log.error("another server took this Redis store while this one could not renew its claim; stop one of them");
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("could not renew this server's claim on the Redis store; retrying", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        renewer.interrupt();
        try {
            redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {KEY}, token);
        } catch (RuntimeException e) {
            // it lapses by itself within the TTL
        }
    }
}
