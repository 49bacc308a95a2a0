package io.containerlease.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A docker-java stream callback that reports its end once, however it comes: an error, the engine
 * ending the stream, or our own close (which reports no error).
 */
abstract class EndOnceCallback<T> extends ResultCallback.Adapter<T> {
    private final AtomicBoolean ended = new AtomicBoolean();

    /** The stream is over; {@code error} is null when it was closed on purpose (or ended cleanly, see {@link #whenCompleted}). */
    protected abstract void ended(Throwable error);

    /** What the engine ending the stream by itself means: nothing wrong, unless a subclass says so. */
    protected Throwable whenCompleted() {
        return null;
    }

    @Override
    public void onError(Throwable throwable) {
        end(throwable);
        super.onError(throwable);
    }

    @Override
    public void onComplete() {
        end(whenCompleted());
        super.onComplete();
    }

    @Override
    public void close() throws IOException {
        end(null);
        super.close();
    }

    private void end(Throwable error) {
        if (ended.compareAndSet(false, true)) {
            ended(error);
        }
    }
}
