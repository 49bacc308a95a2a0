package io.containerlease.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/** An exec's stream (with a TTY or without): its frames as they come, then, once, how it ended. */
final class ExecCallback extends ResultCallback.Adapter<Frame> {
    private final java.util.function.Consumer<Frame> frames;
    private final java.util.function.Consumer<java.util.OptionalInt> exitedWith;
    /** Asked once the stream has ended by itself: how the command exited. */
    private final java.util.function.Supplier<java.util.OptionalInt> status;

    private final AtomicBoolean exited = new AtomicBoolean();

    ExecCallback(
            java.util.function.Consumer<Frame> frames,
            java.util.function.Consumer<java.util.OptionalInt> exitedWith,
            java.util.function.Supplier<java.util.OptionalInt> status) {
        this.frames = frames;
        this.exitedWith = exitedWith;
        this.status = status;
    }

    @Override
    public void onNext(Frame frame) {
        if (frame.getPayload() != null && frame.getPayload().length > 0) {
            frames.accept(frame);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        exit(false);
        super.onError(throwable);
    }

    @Override
    public void onComplete() {
        exit(true);
        super.onComplete();
    }

    @Override
    public void close() throws IOException {
        exit(false);
        super.close();
    }

    private void exit(boolean byItself) {
        if (exited.compareAndSet(false, true)) {
            exitedWith.accept(byItself ? status.get() : java.util.OptionalInt.empty());
        }
    }
}
