package io.containerlease.cli.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

/**
 * A transfer's progress on one line of standard error, redrawn at most five times a second, when a
 * person is watching (standard error and output are a terminal); silent otherwise, so scripts and
 * pipes get nothing extra.
 */
final class Progress {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final boolean shown;
    private final String what;
    private final long total;
    private final long started = System.nanoTime();
    private long done;
    private long drawnAt;

    /** @param total the bytes expected, or -1 when unknown */
    Progress(PrintWriter err, String what, long total) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.shown = onTerminal();
    }

    /** Counts what passes through {@code in}. */
    InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    advance(n);
                }
                return n;
            }
        };
    }

    synchronized void advance(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (shown && now - drawnAt >= REDRAW_NANOS) {
            drawnAt = now;
            draw(false);
        }
    }

    /** The last line, kept on the screen. */
    synchronized void finish() {
        if (shown) {
            draw(true);
        }
    }

    private void draw(boolean last) {
        double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        String of = total >= 0 ? " / " + size(total) : "";
        err.print("\r" + what + ": " + size(done) + of + "  " + size((long) (done / seconds)) + "/s"
                + (last ? "\n" : "   "));
        err.flush();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** A terminal on both sides (JDK 22+ says so exactly; before, a console exists only for one). */
    private static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
