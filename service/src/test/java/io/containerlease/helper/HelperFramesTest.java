package io.containerlease.helper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The helper runs in the tenant's container, so what arrives on its stream is read as a tenant's
 * words: frames cut anywhere are put together, and a stream that is not our protocol, or a frame
 * over the bound, ends it before anything is held for it.
 */
class HelperFramesTest {
    private final List<String> frames = new ArrayList<>();
    private final HelperFrames.Reader reader = new HelperFrames.Reader(
            (type, payload) -> frames.add((char) type + new String(payload, StandardCharsets.UTF_8)));

    private static byte[] hello() {
        return HelperFrames.frame(HelperFrames.HELLO_TYPE, HelperFrames.HELLO.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void framesCutAnywhereArriveWholeAndInOrder() throws Exception {
        byte[] stream = concat(
                hello(),
                HelperFrames.frame(HelperFrames.CONNECTED, new byte[0]),
                HelperFrames.message("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8)),
                HelperFrames.frame(HelperFrames.DISCONNECTED, "gone".getBytes(StandardCharsets.UTF_8)));
        for (byte b : stream) {
            reader.accept(new byte[] {b}); // one byte at a time: the worst cutting there is
        }
        assertThat(frames).containsExactly("C", "M{\"a\":1}\n", "Dgone");
    }

    @Test
    void aStreamThatDoesNotGreetWithOurProtocolIsRefused() {
        assertThatThrownBy(() -> reader.accept(HelperFrames.message("hi".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(HelperFrames.ProtocolException.class);
        HelperFrames.Reader other = new HelperFrames.Reader((type, payload) -> {});
        assertThatThrownBy(() -> other.accept(HelperFrames.frame(
                        HelperFrames.HELLO_TYPE, "containerlease-helper/2".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(HelperFrames.ProtocolException.class);
    }

    @Test
    void aFrameOverTheBoundEndsTheStreamBeforeItsPayloadIsHeld() throws Exception {
        reader.accept(hello());
        // A header announcing 2 GiB (or any length past 64 KiB): refused from the header alone.
        byte[] header = {HelperFrames.MESSAGE, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> reader.accept(header)).isInstanceOf(HelperFrames.ProtocolException.class);
        HelperFrames.Reader justOver = new HelperFrames.Reader((type, payload) -> {});
        justOver.accept(hello());
        byte[] over = Arrays.copyOf(HelperFrames.message(new byte[HelperFrames.MAX_FROM_HELPER + 1]), 5);
        assertThatThrownBy(() -> justOver.accept(over)).isInstanceOf(HelperFrames.ProtocolException.class);
        assertThat(frames).isEmpty();
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
