package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import java.io.Closeable;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link ContainerEvents} on the engine's {@code /events} stream, filtered by this instance's label. */
public final class DockerContainerEvents implements ContainerEvents {
    /** A client without a read timeout: an events stream may be silent for hours. */
    private final DockerClient streaming;

    public DockerContainerEvents(DockerClient streaming) {
        this.streaming = streaming;
    }

    @Override
    public Closeable watch(String instanceId, Instant since, Sink sink) {
        AtomicBoolean ended = new AtomicBoolean();
        ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event event) {
                if (event.getType() != EventType.CONTAINER || event.getId() == null) {
                    return;
                }
                Map<String, String> attributes = event.getActor() == null || event.getActor().getAttributes() == null
                        ? Map.of() : event.getActor().getAttributes();
                String label = attributes.get(ManagedLabels.LEASE_ID);
                Optional<LeaseId> leaseId = LeaseId.isValid(label) ? Optional.of(new LeaseId(label)) : Optional.empty();
                Instant at = event.getTimeNano() != null ? Instant.ofEpochSecond(0, event.getTimeNano())
                        : event.getTime() != null ? Instant.ofEpochSecond(event.getTime()) : Instant.now();
                sink.event(event.getId(), leaseId, String.valueOf(event.getAction()), at);
            }

            @Override
            public void onError(Throwable error) {
                if (ended.compareAndSet(false, true)) {
                    sink.closed(error);
                }
                super.onError(error);
            }

            @Override
            public void onComplete() {
                if (ended.compareAndSet(false, true)) {
                    // The engine ended a stream nobody asked to end (it restarted, say): that is a gap too.
                    sink.closed(new java.io.EOFException("the engine ended the event stream"));
                }
                super.onComplete();
            }
        };
        streaming.eventsCmd()
                .withEventTypeFilter(EventType.CONTAINER)
                .withLabelFilter(Map.of(ManagedLabels.INSTANCE, instanceId))
                .withSince(Long.toString(since.getEpochSecond()))
                .exec(callback);
        return () -> {
            if (ended.compareAndSet(false, true)) {
                sink.closed(null);
            }
            callback.close();
        };
    }
}
