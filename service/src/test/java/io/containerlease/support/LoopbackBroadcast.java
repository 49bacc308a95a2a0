package io.containerlease.support;

import io.containerlease.cluster.Broadcast;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The broadcast of servers sharing a store, inside one test: every message goes at once, on the
 * sender's thread, to every listening endpoint (the sender's too, as Redis does), and is kept in
 * {@link #sent}. {@link #inject} delivers what no server of ours would write.
 */
public final class LoopbackBroadcast {
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    public final List<String> sent = new CopyOnWriteArrayList<>();

    /** One server's end of the broadcast. */
    public Broadcast endpoint() {
        return new Broadcast() {
            private volatile Consumer<String> mine;

            @Override
            public void send(String message) {
                sent.add(message);
                listeners.forEach(listener -> listener.accept(message));
            }

            @Override
            public void listen(Consumer<String> receiver) {
                mine = receiver;
                listeners.add(receiver);
            }

            @Override
            public void close() {
                listeners.remove(mine);
            }
        };
    }

    public void inject(String message) {
        listeners.forEach(listener -> listener.accept(message));
    }
}
