package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputRingTest {

    @Test
    void offsetsAddressBytesAcrossTheWrap() {
        OutputRing ring = new OutputRing(8);
        ring.append(bytes("abcdef"));
        ring.append(bytes("ghij"));
        assertThat(ring.end()).isEqualTo(10);
        assertThat(ring.start()).isEqualTo(2);
        assertThat(text(ring.copyFrom(2))).isEqualTo("cdefghij");
        assertThat(text(ring.copyFrom(7))).isEqualTo("hij");
        assertThat(ring.copyFrom(10)).isEmpty();
        assertThatThrownBy(() -> ring.copyFrom(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ring.copyFrom(11)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWriteLargerThanTheRingKeepsItsTail() {
        OutputRing ring = new OutputRing(4);
        ring.append(bytes("x"));
        ring.append(bytes("0123456789"));
        assertThat(ring.end()).isEqualTo(11);
        assertThat(text(ring.copyFrom(ring.start()))).isEqualTo("6789");
    }

    @Test
    void theBufferGrowsWithOutputAndOffsetsSurviveTheGrowth() {
        OutputRing ring = new OutputRing(1 << 20);
        assertThat(ring.allocated()).isEqualTo(OutputRing.INITIAL_BYTES);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            String chunk = "line " + i + "\n";
            all.append(chunk);
            ring.append(bytes(chunk));
        }
        assertThat(ring.allocated()).isLessThan(1 << 20).isGreaterThanOrEqualTo(all.length());
        assertThat(text(ring.copyFrom(0))).isEqualTo(all.toString());
        assertThat(text(ring.copyFrom(6))).isEqualTo(all.substring(6));
        ring.append(new byte[2 << 20]); // past the capacity: it stops growing and wraps
        assertThat(ring.allocated()).isEqualTo(1 << 20);
        assertThat(ring.start()).isEqualTo(ring.end() - (1 << 20));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
