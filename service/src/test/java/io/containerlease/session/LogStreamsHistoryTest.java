package io.containerlease.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.FakeStreams;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A lease's history streams to its readers as it arrives, "the last N lines" waits until it has all
 * arrived, and each reader reads at its own pace from the buffer, told what it missed when it falls behind.
 */
class LogStreamsHistoryTest {
    private final FakeStreams streams = new FakeStreams();
    private final LogStreams logs =
            new LogStreams(streams, new LogStreams.Budget(10, 1 << 20, 1 << 24), new EndedLeases());
    private final LeaseId id = LeaseId.generate(Instant.now(), new Random(3));
    private final String container = ManagedLabels.containerName(id);

    @Test
    void everythingStreamsWhileTheHistoryArrivesAndTheLastLinesWaitForItsEnd() {
        streams.historyStillArriving = true;
        PolledReader everything = PolledReader.subscribe(logs, id, new LogStreams.Start.Everything());
        streams.emit(container, false, "a");
        streams.emit(container, false, "b");
        PolledReader lastTwo = PolledReader.subscribe(logs, id, new LogStreams.Start.Tail(2));
        streams.emit(container, false, "c");

        assertThat(everything.seen()).containsExactly("1:a", "2:b", "3:c");
        assertThat(lastTwo.seen())
                .as("the history is not over: which lines are the last is not known yet")
                .isEmpty();

        int wakes = lastTwo.wakes;
        streams.endHistory(container);
        assertThat(lastTwo.wakes).as("woken when its lines are known").isGreaterThan(wakes);
        streams.emit(container, false, "d");
        streams.endHistory(container); // a second end (a later follow's) changes nothing

        assertThat(lastTwo.seen()).containsExactly("2:b", "3:c", "4:d");
        assertThat(everything.seen()).containsExactly("1:a", "2:b", "3:c", "4:d");
    }

    @Test
    void aReaderThatLeavesGetsNothingMore() {
        PolledReader gone = PolledReader.subscribe(logs, id, new LogStreams.Start.Tail(5));
        streams.emit(container, false, "a");
        assertThat(gone.seen()).containsExactly("1:a");
        gone.cancel();
        int wakes = gone.wakes;
        streams.emit(container, false, "b");

        assertThat(gone.wakes).isEqualTo(wakes);
    }

    @Test
    void aFollowThatBreaksDuringTheHistoryReleasesTheWaitingReaders() {
        streams.historyStillArriving = true;
        PolledReader lastOne = PolledReader.subscribe(logs, id, new LogStreams.Start.Tail(1));
        streams.emit(container, false, "a");
        streams.followers.remove(container).closed(new java.io.IOException("engine went away"));

        assertThat(lastOne.seen()).containsExactly("1:a");
    }

    @Test
    void aReaderThatFallsBehindTheBufferIsToldHowManyLinesItMissedAndGoesOnFromTheOldestHeld() {
        PolledReader slow = PolledReader.subscribe(logs, id, new LogStreams.Start.Everything());
        PolledReader quick = PolledReader.subscribe(logs, id, new LogStreams.Start.Everything());
        for (int i = 1; i <= 25; i++) { // the buffer holds 10
            streams.emit(container, false, "line " + i);
            quick.seen();
        }

        assertThat(quick.seen()).hasSize(25).doesNotContain("dropped");
        assertThat(slow.seen()).first().isEqualTo("dropped 1-15");
        assertThat(slow.seen()).hasSize(11).last().isEqualTo("25:line 25");
    }

    @Test
    void aResumeFromLinesNoLongerHeldIsAGap() {
        PolledReader.subscribe(logs, id, new LogStreams.Start.Everything());
        for (int i = 1; i <= 15; i++) {
            streams.emit(container, false, "line " + i);
        }
        PolledReader resumed = PolledReader.subscribe(logs, id, new LogStreams.Start.After(2));

        assertThat(resumed.seen()).startsWith("gap 3-5", "6:line 6").hasSize(11);
    }

    @Test
    void aResumePastTheNewestLineGetsWhatComesNext() {
        streams.historyStillArriving = true;
        PolledReader early =
                PolledReader.subscribe(logs, id, new LogStreams.Start.After(500)); // before the history is in
        streams.emit(container, false, "a");
        streams.endHistory(container);
        PolledReader late = PolledReader.subscribe(logs, id, new LogStreams.Start.After(900));
        streams.emit(container, false, "b");

        assertThat(early.seen()).containsExactly("2:b");
        assertThat(late.seen()).containsExactly("2:b");
    }

    /** A server that stops closes every follow first: the engine's client going after them breaks none (nothing logged). */
    @Test
    void closingStopsEveryFollowSoNoneIsReportedBrokenOnTheWayDown() {
        PolledReader reader = PolledReader.subscribe(logs, id, new LogStreams.Start.Tail(5));
        var sink = streams.followers.get(container);
        try (var lines = io.containerlease.support.LogLines.of(LogStreams.class)) {
            logs.close();
            sink.closed(new java.io.IOException()); // what the engine's client does as it shuts down
            assertThat(lines.messages()).isEmpty();
        }
        assertThat(streams.followers).isEmpty();
        assertThat(logs.tracks(id)).isFalse();
        assertThat(logs.heldBytes()).isZero();
        reader.cancel();
    }
}
