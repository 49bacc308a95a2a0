package io.containerlease.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the shell command does to the bytes between the user's terminal and the container's. */
class ShellKeysTest {
    private static final byte P = DetachKeys.CTRL_P;
    private static final byte Q = DetachKeys.CTRL_Q;

    @Test
    void ctrlPThenCtrlQDetachesAndNothingOfItIsSent() {
        DetachKeys keys = new DetachKeys();
        assertThat(keys.filter(new byte[] {'l', 's', P, Q, 'x'}, 5)).containsExactly('l', 's');
        assertThat(keys.detached()).isTrue();
    }

    @Test
    void aCtrlPNotFollowedByCtrlQGoesToTheShellEvenAcrossReads() {
        DetachKeys keys = new DetachKeys();
        assertThat(keys.filter(new byte[] {'a', P}, 2)).containsExactly('a');
        assertThat(keys.filter(new byte[] {'b'}, 1)).containsExactly(P, 'b');
        assertThat(keys.filter(new byte[] {P, P, 'c'}, 3)).containsExactly(P, P, 'c');
        assertThat(keys.detached()).isFalse();
        assertThat(keys.filter(new byte[] {P}, 1)).isEmpty();
        assertThat(keys.filter(new byte[] {Q}, 1)).isEmpty();
        assertThat(keys.detached()).isTrue();
    }

    @Test
    void onlyTheLengthReadCounts() {
        DetachKeys keys = new DetachKeys();
        assertThat(keys.filter(new byte[] {'a', P, Q}, 1)).containsExactly('a');
        assertThat(keys.detached()).isFalse();
    }

    @Test
    void aReplayLosesItsTerminalQueriesAndNothingElse() {
        String replay = "/ # \u001b[6nls\r\nbin  etc\r\n\u001b[1;32m/ # \u001b[0m\u001b[6n\u001b[c\u001b[>0c\u001b[5n";
        byte[] stripped = ShellConnection.withoutQueries(replay.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(stripped, StandardCharsets.UTF_8))
                .isEqualTo("/ # ls\r\nbin  etc\r\n\u001b[1;32m/ # \u001b[0m");
        byte[] utf8 = "é → ✓ \u001b[6n".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(ShellConnection.withoutQueries(utf8), StandardCharsets.UTF_8))
                .isEqualTo("é → ✓ ");
    }
}
