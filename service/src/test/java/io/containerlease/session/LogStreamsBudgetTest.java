package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.FakeStreams;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Log memory is bounded per lease and in all, and a chatty lease pays for its own noise. */
class LogStreamsBudgetTest {
    private static final long PER_LEASE = 64 << 10;
    private static final long TOTAL = 256 << 10;

    private final FakeStreams streams = new FakeStreams();
    private final LogStreams logs =
            new LogStreams(streams, new LogStreams.Budget(100_000, PER_LEASE, TOTAL), new EndedLeases());
    private final Random random = new Random(7);

    private LeaseId follow() {
        LeaseId id = LeaseId.generate(Instant.now(), random);
        PolledReader.subscribe(logs, id, new LogStreams.Start.Everything());
        return id;
    }

    private List<LogLine> held(LeaseId id) {
        PolledReader reader = PolledReader.subscribe(logs, id, new LogStreams.Start.Everything());
        List<LogLine> out = reader.lines(new ArrayList<>());
        reader.cancel();
        return out;
    }

    @Test
    void chattyLeasesAreTrimmedToTheTotalBudgetAndAQuietOneKeepsItsHistory() {
        LeaseId quiet = follow();
        for (int i = 0; i < 5; i++) {
            streams.emit(ManagedLabels.containerName(quiet), false, "quiet " + i);
        }
        List<LeaseId> chatty = new ArrayList<>();
        for (int lease = 0; lease < 10; lease++) {
            LeaseId id = follow();
            chatty.add(id);
            for (int i = 0; i < 2_000; i++) {
                streams.emit(ManagedLabels.containerName(id), false, "x".repeat(100) + i);
            }
        }
        long oneLine = LogBuffer.LINE_OVERHEAD_BYTES + 2L * 104;
        assertThat(logs.heldBytes()).as("all buffers together").isLessThanOrEqualTo(TOTAL + oneLine);
        assertThat(logs.evictedLines()).isPositive();
        for (LeaseId id : chatty) {
            long bytes = held(id).stream().mapToLong(LogBuffer::cost).sum();
            assertThat(bytes).as("one lease's buffer").isLessThanOrEqualTo(PER_LEASE);
            assertThat(held(id))
                    .as("every lease keeps its newest lines")
                    .isNotEmpty()
                    .last()
                    .extracting(LogLine::seq)
                    .isEqualTo(2_000L);
        }
        assertThat(held(quiet)).as("the largest buffers pay first").hasSize(5);
    }

    @Test
    void anEndedLeasesLogNoLongerCounts() {
        LeaseId id = follow();
        for (int i = 0; i < 100; i++) {
            streams.emit(ManagedLabels.containerName(id), false, "line " + i);
        }
        assertThat(logs.heldBytes()).isPositive();
        logs.stop(id);
        assertThat(logs.heldBytes()).isZero();
    }
}
