package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A line's level is what it says of itself, in the forms programs write; nothing when it says nothing. */
class LogLevelsTest {
    @Test
    void aLevelWordAmongTheFirstWordsIsTheLevel() {
        assertThat(LogLevels.stated("ERROR could not open /data")).isEqualTo("error");
        assertThat(LogLevels.stated("[WARN] disk almost full")).isEqualTo("warn");
        assertThat(LogLevels.stated("warning: the tick came late")).isEqualTo("warn");
        assertThat(LogLevels.stated("  info: listening on :8080")).isEqualTo("info");
        assertThat(LogLevels.stated("2026-12-03 10:00:01 DEBUG cache warmed")).isEqualTo("debug");
        assertThat(LogLevels.stated("12:00:01.123 [main] INFO Server started")).isEqualTo("info");
        assertThat(LogLevels.stated("FATAL: out of memory")).isEqualTo("error");
        assertThat(LogLevels.stated("E0203 nope")).isNull();
    }

    @Test
    void aJsonLineOrALogfmtLineSaysItsLevelByName() {
        assertThat(LogLevels.stated("{\"time\":\"…\",\"level\":\"WARN\",\"msg\":\"slow\"}"))
                .isEqualTo("warn");
        assertThat(LogLevels.stated("{\"severity\": \"error\", \"message\": \"x\"}"))
                .isEqualTo("error");
        assertThat(LogLevels.stated("{\"msg\":\"no level here\"}")).isNull();
        assertThat(LogLevels.stated("time=2026-12-03T10:00:00Z level=debug msg=\"tick\""))
                .isEqualTo("debug");
    }

    @Test
    void aLineThatStatesNoLevelHasNone() {
        assertThat(LogLevels.stated("tick 42")).isNull();
        assertThat(LogLevels.stated("")).isNull();
        assertThat(LogLevels.stated("the errors were fixed")).isNull();
        assertThat(LogLevels.stated("a b c error later in the line"))
                .as("only the first three words")
                .isNull();
    }

    @Test
    void onlyTheStartOfAHugeLineIsRead() {
        assertThat(LogLevels.stated("x".repeat(10_000_000) + " ERROR")).isNull();
        assertThat(LogLevels.stated("{\"pad\":\"" + "y".repeat(LogLevels.LOOK_AT) + "\",\"level\":\"error\"}"))
                .isNull();
    }
}
