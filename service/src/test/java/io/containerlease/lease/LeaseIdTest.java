package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeaseIdTest {

    @Test
    void idsAre26CharactersOfLowerCaseBase32AndSortByCreationTime() {
        Random random = new Random(7);
        LeaseId earlier = LeaseId.generate(Instant.parse("2026-01-01T00:00:00Z"), random);
        LeaseId later = LeaseId.generate(Instant.parse("2026-01-01T00:00:00.001Z"), random);
        assertThat(earlier.value()).hasSize(26).matches("[0-9a-z]+");
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void rejectsAnythingElse() {
        assertThat(LeaseId.isValid("../../etc/passwd")).isFalse();
        assertThat(LeaseId.isValid("01M8033DCE7FXX86SZ54KTZQB1")).isFalse();
        assertThat(LeaseId.isValid(null)).isFalse();
        assertThatThrownBy(() -> new LeaseId("short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIdSaysWhenItWasMadeToTheMillisecond() {
        java.util.Random random = new java.util.Random(5);
        for (java.time.Instant at : java.util.List.of(
                java.time.Instant.EPOCH,
                java.time.Instant.parse("2026-12-03T12:34:56.789Z"),
                java.time.Instant.parse("2999-01-01T00:00:00.001Z"))) {
            org.assertj.core.api.Assertions.assertThat(
                            LeaseId.generate(at, random).madeAt())
                    .isEqualTo(at);
        }
        // Only the time prefix counts: two ids of one millisecond say the same time.
        java.time.Instant now = java.time.Instant.parse("2026-12-03T12:00:00.123456Z");
        org.assertj.core.api.Assertions.assertThat(LeaseId.generate(now, random).madeAt())
                .isEqualTo(LeaseId.generate(now, random).madeAt())
                .isEqualTo(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }
}
