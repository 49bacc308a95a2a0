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
}
