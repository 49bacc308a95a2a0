package io.containerlease.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether a request's path can be decoded at all. Jetty leaves {@code ;} parameters undecoded, and
 * Javalin decodes path parameters only when a route asks for one, so a bad escape there would
 * otherwise surface as an exception deep inside a handler. Checked up front, it is the client's
 * mistake: a 400.
 */
final class RequestPaths {
    private RequestPaths() {}

    /**
     * @param rawPath the path as sent, still percent-encoded
     * @throws ApiException 400 {@code invalid_path} for a malformed or truncated escape, bytes that
     *                      are not UTF-8, or a NUL, encoded or not
     */
    static void requireDecodable(String rawPath) {
        if (rawPath == null) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.allocate(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                if (i + 2 >= rawPath.length() || hex(rawPath.charAt(i + 1)) < 0 || hex(rawPath.charAt(i + 2)) < 0) {
                    throw invalid("it holds a '%' that is not followed by two hex digits");
                }
                bytes.put((byte) (hex(rawPath.charAt(i + 1)) * 16 + hex(rawPath.charAt(i + 2))));
                i += 2;
            } else if (c > 0x7f) {
                throw invalid("it holds a character that is not percent-encoded");
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw invalid("its escapes do not decode to UTF-8");
        }
        if (decoded.indexOf('\0') >= 0) {
            throw invalid("it holds a NUL character");
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static ApiException invalid(String why) {
        return ApiException.badRequest("invalid_path", "the request path cannot be decoded: " + why);
    }
}
