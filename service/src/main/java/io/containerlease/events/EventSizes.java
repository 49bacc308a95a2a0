package io.containerlease.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.Map;

/**
 * What an event costs to hold, estimated from what it carries (a JSON payload node by node, strings
 * by length) the way the JVM lays it out, roughly: enough to bound the history in bytes without
 * serialising anything. The estimate of a tree stops growing past {@link #CAP}.
 */
public final class EventSizes {
    /** The fixed cost of an event: its record, its map, its id, time and names. */
    static final long EVENT_OVERHEAD = 256;

    private static final long CAP = 64L << 20;

    private EventSizes() {}

    static long of(Event event) {
        return EVENT_OVERHEAD
                + string(event.type())
                + string(event.leaseId())
                + string(event.user())
                + value(event.data(), 0);
    }

    /** The estimated bytes of a JSON tree, stopping at {@code limit} (so a huge tree costs only as much walking as the limit). */
    public static long json(JsonNode node, long limit) {
        return Math.min(limit, node(node, 0, limit));
    }

    private static long value(Object value, long sofar) {
        return switch (value) {
            case null -> 8;
            case String s -> string(s);
            case JsonNode node -> node(node, sofar, CAP);
            case Map<?, ?> map -> {
                long total = 48;
                for (var entry : map.entrySet()) {
                    total += 32 + value(entry.getKey(), sofar + total) + value(entry.getValue(), sofar + total);
                }
                yield total;
            }
            case Collection<?> list -> {
                long total = 40;
                for (Object item : list) {
                    total += 8 + value(item, sofar + total);
                }
                yield total;
            }
            default -> 24;
        };
    }

    private static long string(String s) {
        return s == null ? 0 : 40 + s.length() * 2L;
    }

    private static long node(JsonNode node, long sofar, long limit) {
        if (node == null) {
            return 8;
        }
        if (node.isTextual()) {
            return string(node.textValue());
        }
        if (node.isBigInteger() || node.isBigDecimal()) {
            return 40 + node.asText().length(); // up to a thousand digits each
        }
        if (!node.isContainerNode()) {
            return 24;
        }
        long total = 48;
        if (node.isObject()) {
            for (var it = node.fields(); it.hasNext() && sofar + total < limit; ) {
                var field = it.next();
                total += 32 + string(field.getKey()) + node(field.getValue(), sofar + total, limit);
            }
        } else {
            for (var it = node.elements(); it.hasNext() && sofar + total < limit; ) {
                total += 8 + node(it.next(), sofar + total, limit);
            }
        }
        return total;
    }
}
