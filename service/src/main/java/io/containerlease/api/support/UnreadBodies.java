package io.containerlease.api.support;

import io.javalin.http.Context;
import java.io.IOException;

/**
 * Reads and drops whatever part of a request body no one read, before the answer goes out. A route
 * that has no use for the body (a ticket, a refusal before authentication, a 413 on Content-Length)
 * would otherwise leave the client still writing when Jetty gives up on the connection: the client
 * then loses this answer to the reset, or its next request on the kept-alive connection.
 */
public final class UnreadBodies {
    /** Bodies larger than this are left to Jetty, which closes the connection. */
    private static final int DRAIN_LIMIT = 1 << 20;

    private UnreadBodies() {}

    public static void drain(Context ctx) {
        try {
            var in = ctx.req().getInputStream();
            byte[] sink = new byte[8192];
            long total = 0;
            int n;
            while (total < DRAIN_LIMIT && (n = in.read(sink)) > 0) {
                total += n;
            }
        } catch (IOException | IllegalStateException ignored) {
            // already read as a reader, or the peer is gone: nothing to drain
        }
    }
}
