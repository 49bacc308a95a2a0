package io.containerlease.support;

import io.containerlease.session.LeaseConnections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A connection that remembers what it was sent and whether it was closed. */
public final class RecordingControlSink implements LeaseConnections.ControlSink {
    public final List<Map<String, Object>> messages = new CopyOnWriteArrayList<>();
    public volatile Integer closedWith;

    @Override
    public void sendControl(Map<String, Object> message) {
        messages.add(message);
    }

    @Override
    public void close(int code, String reason) {
        closedWith = code;
    }

    public boolean received(String type) {
        return messages.stream().anyMatch(m -> type.equals(m.get("type")));
    }
}
