package io.containerlease.lease;

import java.io.Closeable;

/** The engine's resource statistics for one container, as a stream of samples (about one a second). */
public interface UsageStreams {

    /** Follows the container's usage until the handle is closed or the container stops. */
    Closeable follow(String container, Sink sink);

    interface Sink {
        void sample(ContainerUsage usage);

        /** The stream ended; {@code error} is null when it was closed on purpose or the container stopped. */
        void closed(Throwable error);
    }
}
