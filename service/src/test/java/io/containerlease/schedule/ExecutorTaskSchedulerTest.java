package io.containerlease.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutorTaskSchedulerTest {

    @Test
    void aTaskThatThrowsDoesNotStopLaterTasks() throws InterruptedException {
        try (ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler("test-timers")) {
            CountDownLatch ran = new CountDownLatch(1);
            scheduler.schedule(Duration.ZERO, () -> {
                throw new IllegalStateException("boom");
            });
            scheduler.schedule(Duration.ofMillis(20), ran::countDown);
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void cancelledTasksDoNotRun() throws InterruptedException {
        try (ExecutorTaskScheduler scheduler = new ExecutorTaskScheduler("test-timers")) {
            CountDownLatch ran = new CountDownLatch(1);
            scheduler.schedule(Duration.ofMillis(100), ran::countDown).cancel();
            assertThat(ran.await(300, TimeUnit.MILLISECONDS)).isFalse();
        }
    }
}
