package io.containerlease.helper;

import java.nio.charset.StandardCharsets;

/**
 * The helper's frames (protocol version 1, {@code helper/PROTOCOL.md}): a type byte, a 4-byte
 * big-endian length, the payload. The helper runs in the tenant's container, so what it sends is
 * read as a tenant's words: a frame over {@link #MAX_FROM_HELPER} ends the stream.
 */
public final class HelperFrames {
    public static final String HELLO = "containerlease-helper/1";
    public static final byte HELLO_TYPE = 'H';
    public static final byte CONNECTED = 'C';
    public static final byte DISCONNECTED = 'D';
    public static final byte MESSAGE = 'M';
    /** The helper sends at most 64 KiB of the program's bytes per frame; more means it is not our helper speaking. */
    public static final int MAX_FROM_HELPER = 64 * 1024;

    private static final int HEADER = 5;

    private HelperFrames() {}

    /** A message frame for the helper to write whole to the program. */
    public static byte[] message(byte[] payload) {
        return frame(MESSAGE, payload);
    }

    /** Writes a frame's header (type, then the payload's length) into the first 5 bytes of {@code frame}; returns it. */
    public static byte[] header(byte[] frame, byte type, int payloadLength) {
        frame[0] = type;
        frame[1] = (byte) (payloadLength >>> 24);
        frame[2] = (byte) (payloadLength >>> 16);
        frame[3] = (byte) (payloadLength >>> 8);
        frame[4] = (byte) payloadLength;
        return frame;
    }

    /** One frame: type, length, payload. */
    public static byte[] frame(byte type, byte[] payload) {
        byte[] frame = new byte[HEADER + payload.length];
        System.arraycopy(payload, 0, frame, HEADER, payload.length);
        return header(frame, type, payload.length);
    }

    /** Receives the frames a {@link Reader} finds, in order. */
    public interface Sink {
        void frame(byte type, byte[] payload);
    }

    /** Thrown when the stream is not the helper's protocol (or breaks its bounds). */
    public static final class ProtocolException extends Exception {
        public ProtocolException(String message) {
            super(message);
        }
    }

    /** Finds frames in the helper's output, which arrives cut anywhere. Not thread-safe: one stream, one thread. */
    public static final class Reader {
        private final Sink sink;
        private final byte[] header = new byte[HEADER];
        private int headerLength;
        private byte[] payload;
        private int payloadLength;
        private boolean greeted;

        public Reader(Sink sink) {
            this.sink = sink;
        }

        public void accept(byte[] data) throws ProtocolException {
            int i = 0;
            while (i < data.length) {
                if (payload == null) {
                    int take = Math.min(HEADER - headerLength, data.length - i);
                    System.arraycopy(data, i, header, headerLength, take);
                    headerLength += take;
                    i += take;
                    if (headerLength < HEADER) {
                        return;
                    }
                    int length = (header[1] & 0xff) << 24
                            | (header[2] & 0xff) << 16
                            | (header[3] & 0xff) << 8
                            | (header[4] & 0xff);
                    if (length < 0 || length > MAX_FROM_HELPER) {
                        throw new ProtocolException("a frame of " + Integer.toUnsignedString(length) + " bytes");
                    }
                    payload = new byte[length];
                    payloadLength = 0;
                }
                int take = Math.min(payload.length - payloadLength, data.length - i);
                System.arraycopy(data, i, payload, payloadLength, take);
                payloadLength += take;
                i += take;
                if (payloadLength == payload.length) {
                    deliver(header[0], payload);
                    payload = null;
                    headerLength = 0;
                }
            }
        }

        private void deliver(byte type, byte[] bytes) throws ProtocolException {
            if (!greeted) {
                if (type != HELLO_TYPE || !HELLO.equals(new String(bytes, StandardCharsets.UTF_8))) {
                    throw new ProtocolException("not containerlease-helper protocol version 1");
                }
                greeted = true;
                return;
            }
            sink.frame(type, bytes);
        }
    }
}
