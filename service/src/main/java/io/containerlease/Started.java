package io.containerlease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a server has started, closed in reverse order of start: the last part started is the first stopped. */
final class Started implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Started.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();

    /** Closes {@code part} at stop, before everything started until now. */
    synchronized <T extends AutoCloseable> T add(T part) {
        parts.push(part);
        return part;
    }

    /** Closes each part, newest first; one that fails to close does not keep the others open. Idempotent. */
    @Override
    public synchronized void close() {
        while (!parts.isEmpty()) {
            AutoCloseable next = parts.pop();
            try {
                next.close();
            } catch (Exception e) {
                log.warn(
                        "error while stopping {}",
                        kv("component", next.getClass().getSimpleName()),
                        e);
            }
        }
    }
}
