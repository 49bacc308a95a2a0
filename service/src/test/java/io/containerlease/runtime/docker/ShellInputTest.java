package io.containerlease.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Terminal input waits for a slow shell, within a bound, and gives up instead of growing. */
@Timeout(30)
class ShellInputTest {
    private final AtomicLong queued = new AtomicLong();
    private final ShellInput input = new ShellInput(queued, Duration.ofMillis(100));

    @Test
    void aShellThatStopsReadingHoldsAtMostTheBoundAndTheWriterIsTold() {
        byte[] chunk = new byte[64 * 1024];
        int accepted = 0;
        while (input.offer(chunk)) {
            accepted++;
        }
        assertThat(accepted * chunk.length).isEqualTo(ShellInput.MAX_QUEUED_BYTES);
        assertThat(queued.get()).isEqualTo(ShellInput.MAX_QUEUED_BYTES);
    }

    @Test
    void readingMakesRoomAgainAndBytesArriveInOrder() {
        byte[] chunk = new byte[ShellInput.MAX_QUEUED_BYTES / 2];
        chunk[0] = 1;
        assertThat(input.offer(chunk)).isTrue();
        chunk[0] = 2;
        assertThat(input.offer(chunk)).isTrue();
        assertThat(input.offer(new byte[] {3})).as("full").isFalse();
        byte[] read = new byte[chunk.length];
        assertThat(input.read(read, 0, read.length)).isEqualTo(chunk.length);
        assertThat(read[0]).isEqualTo((byte) 1);
        assertThat(input.offer(new byte[] {3})).as("a chunk was taken").isTrue();
    }

    @Test
    void closingReleasesWhatWasQueued() {
        input.offer(new byte[1000]);
        input.close();
        assertThat(queued.get()).isZero();
        assertThat(input.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThat(input.offer(new byte[1])).isFalse();
    }
}
