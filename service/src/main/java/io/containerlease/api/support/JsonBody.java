package io.containerlease.api.support;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A request's JSON object, read with limits (64 KiB, JSON only) and checked field by field, so
 * every mistake is a 400 that names the field. Unknown fields are refused rather than ignored: a
 * typo such as {@code durationMinute} must not silently fall back to a default.
 */
public final class JsonBody {
    public static final int MAX_BYTES = 64 * 1024;
    /** The largest body any route takes: a message for a lease's program (a whole channel frame, and room around it). */
    public static final int MAX_LARGE_BYTES = io.containerlease.program.channel.ChannelFrame.MAX_BYTES + 4096;

    private final ObjectNode node;

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** A body that arrived some other way (a Socket.IO command), checked by the same rules. */
    public static JsonBody of(ObjectNode node) {
        return new JsonBody(node);
    }

    public static JsonBody read(Context ctx) {
        return read(ctx, MAX_BYTES);
    }

    /** A body that may be larger than most (a message for a lease's program), up to {@code maxBytes}. */
    public static JsonBody read(Context ctx, int maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        String type = ctx.contentType();
        if (type == null || !isJson(type)) {
            throw new ApiException(
                    415, "unsupported_media_type", "the body must be JSON; send Content-Type: application/json");
        }
        byte[] bytes = readLimited(ctx, maxBytes);
        if (bytes.length == 0) {
            throw ApiException.badRequest("malformed_json", "the body is empty; expected a JSON object");
        }
        JsonNode parsed;
        try {
            parsed = (maxBytes > MAX_BYTES ? Json.LARGE : Json.MAPPER).readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.badRequest(
                    "malformed_json", "the body " + JsonErrors.plain(e, maxBytes > MAX_BYTES ? maxBytes : MAX_BYTES));
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json", "the body could not be read");
        }
        if (!(parsed instanceof ObjectNode object)) {
            throw ApiException.badRequest("malformed_json", "the body must be a JSON object");
        }
        return new JsonBody(object);
    }

    private static boolean isJson(String contentType) {
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return mediaType.equals("application/json")
                || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }

    private static byte[] readLimited(Context ctx, int maxBytes) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json", "the body could not be read");
        }
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(413, "payload_too_large", "the body exceeds " + maxBytes / 1024 + " KiB");
    }

    /** Refuses any field not in {@code allowed}. */
    public JsonBody allowOnly(Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.badRequest(
                        "unknown_field",
                        "unknown field '" + printable(name) + "'; allowed fields: "
                                + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return this;
    }

    /** The field's JSON as it is (any type), if present. */
    public Optional<JsonNode> node(String field) {
        return Optional.ofNullable(node.get(field));
    }

    public Optional<Boolean> bool(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw invalid(field, "must be true or false");
        }
        return Optional.of(value.booleanValue());
    }

    public boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    public String requiredString(String field, int maxLength) {
        return string(field, maxLength)
                .orElseThrow(() -> ApiException.badRequest("missing_field", "'" + field + "' is required"));
    }

    public Optional<String> string(String field, int maxLength) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isTextual()) {
            throw invalid(field, "must be a string");
        }
        String text = value.asText();
        if (text.length() > maxLength) {
            throw invalid(field, "must be at most " + maxLength + " characters");
        }
        return Optional.of(text);
    }

    /**
     * A whole number of any size, held to the range of a long (a larger one becomes the largest long):
     * for fields whose bounds are someone else's to check and to explain.
     */
    public Optional<Long> saturatedWholeNumber(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isNumber() || !value.canConvertToExactIntegral()) {
            throw invalid(field, "must be a whole number");
        }
        if (value.canConvertToLong()) {
            return Optional.of(value.asLong());
        }
        return Optional.of(value.bigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
    }

    /** A whole number in [min, max]; 5 and 5.0 are accepted, 5.5 and 1e400 are not. */
    public Optional<Long> wholeNumber(String field, long min, long max) {
        if (!has(field)) {
            return Optional.empty();
        }
        JsonNode value = node.get(field);
        if (!value.isNumber() || !value.canConvertToExactIntegral()) {
            throw invalid(field, "must be a whole number");
        }
        if (!value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw invalid(field, "must be between " + min + " and " + max);
        }
        return Optional.of(value.asLong());
    }

    /** An object of string values whose keys match {@code keyPattern}. */
    public Map<String, String> stringMap(String field, int maxEntries, Pattern keyPattern, int maxValueLength) {
        if (!has(field)) {
            return Map.of();
        }
        JsonNode value = node.get(field);
        if (!value.isObject()) {
            throw invalid(field, "must be an object of string values");
        }
        if (value.size() > maxEntries) {
            throw invalid(field, "may hold at most " + maxEntries + " entries");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            var entry = it.next();
            String key = entry.getKey();
            if (!keyPattern.matcher(key).matches()) {
                throw invalid(
                        field,
                        "has an invalid name '" + printable(key) + "' (names match " + keyPattern.pattern() + ")");
            }
            JsonNode item = entry.getValue();
            if (!item.isTextual()) {
                throw invalid(field + "." + key, "must be a string");
            }
            String text = item.asText();
            if (text.length() > maxValueLength || text.indexOf('\0') >= 0) {
                throw invalid(field + "." + key, "must be at most " + maxValueLength + " characters, without NUL");
            }
            out.put(key, text);
        }
        return out;
    }

    private static ApiException invalid(String field, String problem) {
        return ApiException.badRequest("invalid_field", "'" + field + "' " + problem);
    }

    /** Echoes a client's name back safely: bounded, and with control characters escaped. */
    private static String printable(String raw) {
        String cut = raw.length() > 64 ? raw.substring(0, 64) + "…" : raw;
        StringBuilder out = new StringBuilder();
        cut.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
