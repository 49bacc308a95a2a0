package io.containerlease.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DockerTimestampsTest {

    private static Instant parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return DockerTimestamps.parse(bytes, bytes.length);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-22T14:49:16.123456789Z",
                "2026-11-22T14:49:16.1Z",
                "2026-11-22T14:49:16Z",
                "1970-01-01T00:00:00.000000001Z",
                "2024-02-29T23:59:59.999999999Z",
                "2026-11-22T14:49:16.12345Z"
            })
    void readsWhatInstantParseReads(String timestamp) {
        assertThat(parse(timestamp)).isEqualTo(Instant.parse(timestamp));
    }

    @Test
    void anOffsetIsLeftToInstantParse() {
        assertThat(parse("2026-11-22T15:49:16.5+01:00")).isEqualTo(Instant.parse("2026-11-22T14:49:16.5Z"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "hello",
                "2026-13-22T14:49:16Z",
                "2026-02-30T14:49:16Z",
                "2026-11-22T14:49:16.1234567890Z",
                "2026-11-22 14:49:16Z",
                "2026-11-2xT14:49:16Z",
                "Z"
            })
    void anythingElseIsNoTimestamp(String text) {
        assertThat(parse(text)).isNull();
    }
}
