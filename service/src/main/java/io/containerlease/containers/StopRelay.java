package io.containerlease.containers;

import io.containerlease.cluster.Broadcast;
import io.containerlease.lease.LeaseId;

/**
 * Makes a stop through one server's API known to every server of a shared store, the lease's holder
 * above all: the engine cannot tell a container stopped on request from one whose program ended, and
 * the holder is the one that tells the change (and, for an image type that ends its lease when the
 * program exits, acts on it). The mark goes out before the container is stopped.
 *
 * <p>Messages are lines of text: {@code s <server> <lease> <1|0>} (stopped, or started again).
 */
public final class StopRelay implements AutoCloseable {
    private final String self;
    private final Broadcast broadcast;
    private final ContainerStates states;

    public StopRelay(String self, Broadcast broadcast, ContainerStates states) {
        this.self = self;
        this.broadcast = broadcast;
        this.states = states;
    }

    public void start() {
        broadcast.listen(this::receive);
        states.reportStopsTo((id, stopped) -> broadcast.send("s " + self + " " + id.value() + " " + (stopped ? 1 : 0)));
    }

    void receive(String message) {
        String[] parts = message.split(" ");
        if (parts.length == 4 && parts[0].equals("s") && !parts[1].equals(self) && LeaseId.isValid(parts[2])) {
            LeaseId id = new LeaseId(parts[2]);
            states.stoppedElsewhere(id, parts[3].equals("1"));
            // Read again (off the broadcast's thread) so that a stop seen before its mark is told as a stop, not an
            // exit.
            Thread.ofVirtual().start(() -> states.refreshQuietly(id));
        }
    }

    @Override
    public void close() {
        broadcast.close();
    }
}
