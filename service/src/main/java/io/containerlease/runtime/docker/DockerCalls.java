package io.containerlease.runtime.docker;

import com.github.dockerjava.api.exception.DockerException;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import java.io.IOException;
import java.util.function.Supplier;

/** The engine's failures in the core's words: unavailable now (retry), or refused (the request was wrong). */
final class DockerCalls {
    private DockerCalls() {}

    /**
     * Runs one Docker call and sorts its failures: the engine unreachable, or answering with a 5xx
     * (as it does while shutting down), means "not available now"; a 4xx means it refused the request.
     */
    static <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (DockerException e) {
            if (e.getHttpStatus() >= 500) {
                throw new RuntimeUnavailableException(
                        "the Docker engine failed to " + what, DockerClients.rootMessage(e), e);
            }
            throw new RuntimeOperationException("Docker refused to " + what, DockerClients.rootMessage(e), e);
        } catch (RuntimeException e) {
            if (isUnreachable(e)) {
                throw unavailable(what, e);
            }
            throw new RuntimeOperationException("Docker failed to " + what, DockerClients.rootMessage(e), e);
        }
    }

    static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static RuntimeUnavailableException unavailable(String what, RuntimeException e) {
        return new RuntimeUnavailableException(
                "Docker engine unreachable during " + what, DockerClients.rootMessage(e), e);
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing is best effort; the resource is being discarded either way.
        }
    }
}
