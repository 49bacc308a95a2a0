package io.containerlease.cluster;

import java.util.function.Consumer;

/**
 * Messages to every server sharing the store (each receives its own too): best effort, in order per
 * sender, nothing kept for a server that is not listening.
 */
public interface Broadcast extends AutoCloseable {
    void send(String message);

    /** From now on, every message any server sends goes to {@code receiver}. */
    void listen(Consumer<String> receiver);

    @Override
    void close();
}
