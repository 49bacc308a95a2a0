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

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
