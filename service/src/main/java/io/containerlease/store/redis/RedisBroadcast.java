package io.containerlease.store.redis;

import io.containerlease.cluster.Broadcast;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Broadcast} over Redis pub/sub: sends go out on the store's shared connection without
 * waiting; a connection of its own listens, and Lettuce subscribes again after a reconnect (what
 * was sent meanwhile is lost, as pub/sub loses it).
 */
public final class RedisBroadcast implements Broadcast {
    private static final Logger log = LoggerFactory.getLogger(RedisBroadcast.class);

    private final StatefulRedisConnection<String, String> sender;
    private final StatefulRedisPubSubConnection<String, String> listener;
    private final String channel;

    RedisBroadcast(RedisClient client, StatefulRedisConnection<String, String> sender, String channel) {
        this.sender = sender;
        this.channel = channel;
        this.listener = client.connectPubSub();
    }

    @Override
    public void send(String message) {
        sender.async().publish(channel, message).exceptionally(e -> {
            log.debug("a broadcast was lost: {}", e.getMessage());
            return 0L;
        });
    }

    @Override
    public void listen(Consumer<String> receiver) {
        listener.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                if (channel.equals(from)) {
                    receiver.accept(message);
                }
            }
        });
        listener.sync().subscribe(channel);
    }

    @Override
    public void close() {
        listener.close();
    }
}
