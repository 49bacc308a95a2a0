package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogBufferTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void linesAreNumberedWithoutGapsAndOldOnesLeaveFirst() {
        LogBuffer buffer = new LogBuffer(3, 1000);
        for (int i = 1; i <= 5; i++) {
            assertThat(buffer.append(T, LogLine.STDOUT, "line " + i).seq()).isEqualTo(i);
        }
        assertThat(buffer.firstSeq()).isEqualTo(3);
        assertThat(buffer.lastSeq()).isEqualTo(5);
        assertThat(buffer.after(3)).extracting(LogLine::message).containsExactly("line 4", "line 5");
        assertThat(buffer.after(0)).extracting(LogLine::seq).containsExactly(3L, 4L, 5L);
        assertThat(buffer.tail(2)).extracting(LogLine::seq).containsExactly(4L, 5L);
        assertThat(buffer.tail(10)).extracting(LogLine::seq).containsExactly(3L, 4L, 5L);
        assertThat(buffer.tail(0)).isEmpty();
    }

    @Test
    void hugeLinesAreBoundedByBytesNotJustByCount() {
        long lineCost = LogBuffer.LINE_OVERHEAD_BYTES + 80; // 40 characters
        LogBuffer buffer = new LogBuffer(10_000, 2 * lineCost);
        for (int i = 0; i < 50; i++) {
            buffer.append(T, LogLine.STDOUT, "x".repeat(40));
        }
        assertThat(buffer.after(0)).hasSize(2);
        assertThat(buffer.bytes()).isEqualTo(2 * lineCost);
        assertThat(buffer.lastSeq()).isEqualTo(50);
        // A single line larger than the bound is still kept, alone.
        buffer.append(T, LogLine.STDOUT, "y".repeat(500));
        assertThat(buffer.after(0)).singleElement().extracting(LogLine::seq).isEqualTo(51L);
    }

    @Test
    void trimmingDropsTheOldestLinesButNeverTheNewest() {
        LogBuffer buffer = new LogBuffer(100, 1 << 20);
        for (int i = 1; i <= 10; i++) {
            buffer.append(T, LogLine.STDOUT, "line " + i);
        }
        long one = LogBuffer.LINE_OVERHEAD_BYTES + 2 * "line 1".length();
        assertThat(buffer.trimOldest(one + 1)).isGreaterThan(one);
        assertThat(buffer.firstSeq()).isEqualTo(3);
        assertThat(buffer.trimOldest(Long.MAX_VALUE)).isPositive();
        assertThat(buffer.after(0)).extracting(LogLine::seq).containsExactly(10L);
        assertThat(buffer.trimOldest(Long.MAX_VALUE)).isZero();
    }

    @Test
    void anEmptyBufferStartsAtOne() {
        LogBuffer buffer = new LogBuffer(5, 100);
        assertThat(buffer.firstSeq()).isEqualTo(1);
        assertThat(buffer.lastSeq()).isZero();
        assertThat(buffer.after(0)).isEmpty();
    }

    @Test
    void readersFindLinesBySeqAcrossTheRingsWrapAndGrowth() {
        LogBuffer buffer = new LogBuffer(1000, 1 << 30);
        for (int i = 1; i <= 2_500; i++) { // grows from 256 slots to 1000, then wraps
            buffer.append(T, LogLine.STDOUT, "line " + i);
            if (i % 97 == 0) {
                assertThat(buffer.after(i - 5, 3))
                        .extracting(LogLine::seq)
                        .containsExactly((long) i - 4, (long) i - 3, (long) i - 2);
            }
        }
        assertThat(buffer.firstSeq()).isEqualTo(1_501);
        assertThat(buffer.after(0, 2)).extracting(LogLine::message).containsExactly("line 1501", "line 1502");
        assertThat(buffer.after(2_498, 10)).extracting(LogLine::seq).containsExactly(2_499L, 2_500L);
        assertThat(buffer.after(2_500, 10)).isEmpty();
        assertThat(buffer.after(1_999))
                .hasSize(501)
                .first()
                .extracting(LogLine::seq)
                .isEqualTo(2_000L);
    }
}
