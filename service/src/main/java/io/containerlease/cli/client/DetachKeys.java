package io.containerlease.cli.client;

import java.io.ByteArrayOutputStream;

/**
 * Watches what is typed for Docker's detach sequence, Ctrl-P then Ctrl-Q: it leaves the shell
 * running and the client ends. A Ctrl-P followed by anything else goes to the shell as typed, even
 * when the two keys arrive in separate reads.
 */
final class DetachKeys {
    static final byte CTRL_P = 0x10;
    static final byte CTRL_Q = 0x11;

    /** A Ctrl-P that ended the previous read, waiting to see what follows it. */
    private boolean held;

    private boolean detached;

    /** The bytes to send for {@code length} bytes typed; after the sequence, nothing more. */
    byte[] filter(byte[] typed, int length) {
        ByteArrayOutputStream send = new ByteArrayOutputStream(length + 1);
        for (int i = 0; i < length && !detached; i++) {
            byte b = typed[i];
            if (held) {
                held = false;
                if (b == CTRL_Q) {
                    detached = true;
                    break;
                }
                send.write(CTRL_P);
            }
            if (b == CTRL_P) {
                held = true;
            } else {
                send.write(b);
            }
        }
        return send.toByteArray();
    }

    boolean detached() {
        return detached;
    }
}
