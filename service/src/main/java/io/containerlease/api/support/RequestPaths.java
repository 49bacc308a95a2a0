package io.containerlease.api.support;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether a request's path (and query) can be decoded at all. Jetty leaves {@code ;} parameters undecoded, and
 * Javalin decodes path parameters only when a route asks for one, so a bad escape there would
 * otherwise surface as an exception deep inside a handler. Checked up front, it is the client's
 * mistake: a 400.
 */
public final class RequestPaths {
    private RequestPaths() {}

    /**
     * @param rawPath the path as sent, still percent-encoded
     * @throws ApiException 400 {@code invalid_path} for a malformed or truncated escape, bytes that
     *                      are not UTF-8, or a NUL, encoded or not
     */
    public static void requireDecodable(String rawPath) {
        if (rawPath != null) {
            decode(rawPath, false, RequestPaths::invalid);
        }
    }

    /**
     * @param rawQuery the query as sent (without {@code ?}), still percent-encoded; null for none
     * @throws ApiException 400 {@code invalid_query} when a name or value cannot be decoded, as above
     */
    public static void requireDecodableQuery(String rawQuery) {
        if (rawQuery != null) {
            decode(
                    rawQuery,
                    true,
                    why -> ApiException.badRequest("invalid_query", "the query cannot be decoded: " + why));
        }
    }

    private static void decode(String raw, boolean query, java.util.function.Function<String, ApiException> invalid) {
        ByteBuffer bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                    throw invalid.apply("it holds a '%' that is not followed by two hex digits");
                }
                bytes.put((byte) (hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2))));
                i += 2;
            } else if (c > 0x7f) {
                throw invalid.apply("it holds a character that is not percent-encoded");
            } else if (query && (c == '&' || c == '=')) {
                requireUtf8(bytes, invalid); // each name and value decodes on its own
                bytes.clear();
            } else {
                bytes.put((byte) c);
            }
        }
        requireUtf8(bytes, invalid);
    }

    private static void requireUtf8(ByteBuffer bytes, java.util.function.Function<String, ApiException> invalid) {
        bytes.flip();
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid.apply("its escapes do not decode to UTF-8");
        }
        if (decoded.indexOf('\0') >= 0) {
            throw invalid.apply("it holds a NUL character");
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static ApiException invalid(String why) {
        return ApiException.badRequest("invalid_path", "the request path cannot be decoded: " + why);
    }

    /** The API's description, served without a token: the OpenAPI document and its browsable pages. */
    public static final String API_DOCUMENT = "/api/openapi.yaml";

    public static final String API_DOCS = "/api/docs";

    public static boolean isApiDescription(String path) {
        return path.equals(API_DOCUMENT) || path.equals(API_DOCS) || path.startsWith(API_DOCS + "/");
    }
}
