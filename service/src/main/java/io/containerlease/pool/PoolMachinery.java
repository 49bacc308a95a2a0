package io.containerlease.pool;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;

/**
 * What the warm pool's background work runs on and how it tells time: the machine's own (virtual
 * threads, {@link System#nanoTime}, {@link Thread#sleep}), or a unit test's, which runs the work
 * when it chooses and moves time only when the pool sleeps.
 */
record PoolMachinery(ExecutorService workers, LongSupplier nanoTime, Sleeper sleeper) {
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    static PoolMachinery real() {
        return new PoolMachinery(Executors.newVirtualThreadPerTaskExecutor(), System::nanoTime, Thread::sleep);
    }
}
