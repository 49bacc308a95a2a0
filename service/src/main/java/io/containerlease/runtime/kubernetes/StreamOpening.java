package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.RuntimeUnavailableException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.dsl.ExecListener;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * fabric8 hands out an exec or attach stream before the kubelet's side of it is open, and input
 * written before then is refused: what writes to a stream waits for it to open first (or to have
 * ended already, as a quick command's may).
 */
final class StreamOpening implements ExecListener {
    /** How long the kubelet may take to open a stream. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final CompletableFuture<Void> opened = new CompletableFuture<>();

    @Override
    public void onOpen() {
        opened.complete(null);
    }

    @Override
    public void onExit(int code, Status status) {
        opened.complete(null);
    }

    @Override
    public void onFailure(Throwable t, Response failureResponse) {
        opened.completeExceptionally(t);
    }

    @Override
    public void onClose(int code, String reason) {
        opened.complete(null);
    }

    /** Waits until the stream is open; closes it and says so when it does not open in time. */
    void await(ExecWatch watch, String what) {
        try {
            opened.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            watch.close();
            throw new RuntimeUnavailableException("the stream to " + what + " did not open", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            watch.close();
            throw new RuntimeUnavailableException("interrupted while opening the stream to " + what, e);
        }
    }

    /** Passes every event on to {@code also} after noting it. */
    ExecListener and(ExecListener also) {
        StreamOpening self = this;
        return new ExecListener() {
            @Override
            public void onOpen() {
                self.onOpen();
                also.onOpen();
            }

            @Override
            public void onExit(int code, Status status) {
                self.onExit(code, status);
                also.onExit(code, status);
            }

            @Override
            public void onFailure(Throwable t, Response failureResponse) {
                self.onFailure(t, failureResponse);
                also.onFailure(t, failureResponse);
            }

            @Override
            public void onClose(int code, String reason) {
                self.onClose(code, reason);
                also.onClose(code, reason);
            }
        };
    }
}
