package io.containerlease.api.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerlease.session.LogLine;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A log line's frame, written by hand for speed, is exactly what the object mapper would write. */
class LogLineJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyCharacterIsEscapedAsTheMapperWouldEscapeIt() throws Exception {
        for (String message : new String[] {
            "plain",
            "quote \" and backslash \\",
            "tab\tnew\nline\r",
            "\u0000\u001f control",
            "unicode é 中文 😀",
            "</script>",
            ""
        }) {
            for (String level : new String[] {"warn", null}) {
                LogLine line = new LogLine(
                        42, Instant.parse("2026-11-22T13:40:00.123456789Z"), LogLine.STDERR, level, message);
                Map<String, Object> expected = new LinkedHashMap<>();
                expected.put("seq", 42L);
                expected.put("timestamp", line.timestamp().toString());
                expected.put("stream", "stderr");
                if (level != null) {
                    expected.put("level", level);
                }
                expected.put("message", message);
                assertThat(LogSocket.json(line)).isEqualTo(JSON.writeValueAsString(expected));
            }
        }
    }
}
