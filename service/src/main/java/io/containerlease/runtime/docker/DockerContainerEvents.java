package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import java.io.Closeable;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** {@link ContainerEvents} on the engine's {@code /events} stream, filtered by this instance's label. */
public final class DockerContainerEvents implements ContainerEvents {
    /** A client without a read timeout: an events stream may be silent for hours. */
    private final DockerClient streaming;

    public DockerContainerEvents(DockerClient streaming) {
        this.streaming = streaming;
    }

    @Override
    public Closeable watch(String instanceId, Instant since, Sink sink) {
        EndOnceCallback<Event> callback = new EndOnceCallback<>() {
            @Override
            public void onNext(Event event) {
                if (event.getType() != EventType.CONTAINER || event.getId() == null) {
                    return;
                }
                Map<String, String> attributes =
                        event.getActor() == null || event.getActor().getAttributes() == null
                                ? Map.of()
                                : event.getActor().getAttributes();
                String label = attributes.get(ManagedLabels.LEASE_ID);
                Optional<LeaseId> leaseId = LeaseId.isValid(label) ? Optional.of(new LeaseId(label)) : Optional.empty();
                Instant at = event.getTimeNano() != null
                        ? Instant.ofEpochSecond(0, event.getTimeNano())
                        : event.getTime() != null ? Instant.ofEpochSecond(event.getTime()) : Instant.now();
                sink.event(event.getId(), leaseId, String.valueOf(event.getAction()), at);
            }

            @Override
            protected Throwable whenCompleted() {
                // The engine ended a stream nobody asked to end (it restarted, say): that is a gap too.
                return new java.io.EOFException("the engine ended the event stream");
            }

            @Override
            protected void ended(Throwable error) {
                sink.closed(error);
            }
        };
        streaming
                .eventsCmd()
                .withEventTypeFilter(EventType.CONTAINER)
                .withLabelFilter(Map.of(ManagedLabels.INSTANCE, instanceId))
                .withSince(Long.toString(since.getEpochSecond()))
                .exec(callback);
        return callback;
    }
}
