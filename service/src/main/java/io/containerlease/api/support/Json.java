package io.containerlease.api.support;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON configuration for requests and responses, with tight limits on what a client may send. */
public final class Json {
    /** How deep a body's arrays and objects may nest. */
    public static final int MAX_DEPTH = 32;

    public static final ObjectMapper MAPPER = create(JsonBody.MAX_BYTES);
    /** For the few bodies allowed to be larger (a message for a lease's program): the same rules, longer strings. */
    public static final ObjectMapper LARGE = create(JsonBody.MAX_LARGE_BYTES);

    private Json() {}

    /** {@code value} as JSON text (a value the service built itself always serialises). */
    public static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectMapper create(int maxStringLength) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxNumberLength(64)
                        .maxStringLength(maxStringLength)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * Whether {@code text} nests arrays and objects deeper than {@link #MAX_DEPTH}, found by one pass
     * over its characters, without parsing: for JSON a library would parse recursively (org.json in
     * Socket.IO) before our own limits apply.
     */
    public static boolean nestsTooDeep(CharSequence text) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    return true;
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
        return false;
    }
}
