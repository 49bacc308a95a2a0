package io.containerlease.program.code;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Passes bytes on until {@code limit} of them have passed, then refuses with {@link Exceeded}: what a tenant's files may cost us, in bytes. */
final class LimitedOutput extends FilterOutputStream {
    /** More than the limit was written. */
    static final class Exceeded extends IOException {
        Exceeded(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    private final long limit;
    private long written;

    LimitedOutput(OutputStream out, long limit) {
        super(out);
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        count(1);
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        count(len);
        out.write(b, off, len);
    }

    private void count(int n) throws Exceeded {
        written += n;
        if (written > limit) {
            throw new Exceeded(limit);
        }
    }
}
