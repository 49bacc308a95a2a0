package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopReportTest {
    private static final Instant NOW = Instant.parse("2026-12-03T14:00:00Z");
    private final LeasePolicy policy =
            new LeasePolicy(Duration.ofSeconds(10), Duration.ofHours(2), Duration.ofSeconds(60));

    private static Lease lease(String id, Duration runs) {
        return Lease.provisioning(new LeaseId(id), "busybox", NOW.minusSeconds(60), runs, Duration.ofHours(2));
    }

    @Test
    void aStopSaysHowManyStayWhenTheNextIsDueAndWhenTheirContainersEndThemselves() {
        String said = StopReport.describe(
                List.of(
                        lease("01m8033dce7fxx86sz54ktzqb1", Duration.ofMinutes(5)),
                        lease("01m8033dce7fxx86sz54ktzqb2", Duration.ofMinutes(30))),
                policy,
                Duration.ofMinutes(60),
                NOW);
        assertThat(said)
                .startsWith("2 leases stay; the next is due at 2026-12-03T14:04:00Z (in 4 min)")
                .contains(
                        "the first at 2026-12-03T14:05:00Z",
                        "the last at 2026-12-03T14:30:00Z",
                        "every one ends by 2026-12-03T17:00:00Z");
        assertThat(StopReport.describe(List.of(), policy, Duration.ofMinutes(60), NOW))
                .startsWith("no lease stays");
    }

    @Test
    void whenTheNextIsDueIsSaidInSecondsUnderTwoMinutesInMinutesUnderTwoHoursElseInHours() {
        // A lease made a minute ago runs for `runs`: it is due in `runs` minus that minute.
        for (var due : List.of(
                List.of(Duration.ofSeconds(119), "(in 119 s)"),
                List.of(Duration.ofSeconds(120), "(in 2 min)"),
                List.of(Duration.ofSeconds(7199), "(in 119 min)"),
                List.of(Duration.ofSeconds(7200), "(in 2 h)"))) {
            Duration in = (Duration) due.get(0);
            String said = StopReport.describe(
                    List.of(Lease.provisioning(
                            new LeaseId("01m8033dce7fxx86sz54ktzqb1"),
                            "busybox",
                            NOW.minusSeconds(60),
                            in.plusSeconds(60),
                            Duration.ofHours(3))),
                    new LeasePolicy(Duration.ofSeconds(10), Duration.ofHours(3), Duration.ofSeconds(60)),
                    Duration.ofMinutes(60),
                    NOW);
            assertThat(said).as("due in %s", in).contains((String) due.get(1));
        }
    }
}
