package io.containerlease.program.code;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import java.time.Instant;
import java.util.Random;

/**
 * What every keeper of code versions promises, seen from two servers ({@code here} and {@code there}
 * share one keeper's data; one server alone passes the same object twice): one update at a time, one
 * list, the last {@link CodeVersions#KEPT} archives kept, and nothing left after removal.
 */
public abstract class CodeVersionsContract {
    public void check(CodeVersions here, CodeVersions there) {
        LeaseId id = LeaseId.generate(Instant.parse("2026-01-01T00:00:00Z"), new Random());
        assertThat(here.claim(id)).isTrue();
        assertThat(there.claim(id)).as("one update at a time").isFalse();
        here.unclaim(id);
        there.unclaim(id); // not its claim: changes nothing
        assertThat(there.claim(id)).isTrue();
        assertThat(here.claim(id)).isFalse();
        there.unclaim(id);

        for (int n = 1; n <= 5; n++) {
            CodeVersions.Version added =
                    here.add(id, new byte[] {(byte) n, 2, 3}, "sha-" + n, Instant.EPOCH.plusSeconds(n), "upload");
            assertThat(added.version()).isEqualTo(n);
            assertThat(there.list(id).get(n - 1).status()).isEqualTo("installing");
            there.setStatus(id, n, n == 4 ? "failed" : "active");
        }
        assertThat(here.list(id))
                .extracting(CodeVersions.Version::status)
                .containsExactly("superseded", "superseded", "superseded", "failed", "active");
        assertThat(here.list(id))
                .extracting(CodeVersions.Version::kept)
                .containsExactly(false, false, true, true, true);
        assertThat(there.active(id).orElseThrow().version()).isEqualTo(5);
        assertThat(there.archive(id, 5))
                .hasValueSatisfying(bytes -> assertThat(bytes).containsExactly(5, 2, 3));
        assertThat(there.archive(id, 1))
                .as("beyond the last " + CodeVersions.KEPT)
                .isEmpty();
        assertThat(here.present()).contains(id);

        there.remove(id);
        assertThat(here.list(id)).isEmpty();
        assertThat(here.archive(id, 5)).isEmpty();
        assertThat(here.present()).doesNotContain(id);
        assertThat(here.claim(id)).isTrue();
        here.unclaim(id);
    }
}
