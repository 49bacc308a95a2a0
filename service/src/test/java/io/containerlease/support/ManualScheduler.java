package io.containerlease.support;

import io.containerlease.schedule.TaskScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/**
 * A {@link TaskScheduler} driven by a {@link MutableClock}: tasks run, in due order and on the
 * caller's thread, only when {@link #advance} moves time past them. A task that throws fails the
 * test: in production that would be a task losing its own retry.
 */
public final class ManualScheduler implements TaskScheduler {
    private final MutableClock clock;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private long sequence;

    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, task);
        queue.add(t);
        return () -> {
            synchronized (ManualScheduler.this) {
                queue.remove(t);
            }
        };
    }

    /** Moves the clock forward, running every task that falls due on the way, at its due time. */
    public void advance(Duration by) {
        Instant target = clock.instant().plus(by);
        while (true) {
            Task next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.due.isAfter(target)) {
                    break;
                }
                queue.poll();
            }
            if (next.due.isAfter(clock.instant())) {
                clock.set(next.due);
            }
            // The real scheduler logs a task that throws and carries on; here it is a bug the test must see.
            // Tasks are meant to catch their own failures (and retry), so one that throws fails the test.
            next.task.run();
        }
        clock.set(target);
    }

    /** Runs tasks that are already due, without moving time. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    public synchronized int pending() {
        return queue.size();
    }

    private record Task(Instant due, long seq, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task o) {
            int byTime = due.compareTo(o.due);
            return byTime != 0 ? byTime : Long.compare(seq, o.seq);
        }
    }
}
