package io.containerlease.api;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON configuration for requests and responses, with tight limits on what a client may send. */
final class Json {
    static final ObjectMapper MAPPER = create(JsonBody.MAX_BYTES);
    /** For the few bodies allowed to be larger (a message for a lease's program): the same rules, longer strings. */
    static final ObjectMapper LARGE = create(ChannelRoutes.MAX_BODY_BYTES);

    private Json() {}

    private static ObjectMapper create(int maxStringLength) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(32)
                        .maxNumberLength(64)
                        .maxStringLength(maxStringLength)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
