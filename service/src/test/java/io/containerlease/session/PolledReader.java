package io.containerlease.session;

import java.util.ArrayList;
import java.util.List;

/** A log reader a test reads for when it chooses: what has arrived, as "seq:message" and missed markers. */
final class PolledReader implements LogStreams.Reader {
    private LogStreams.Subscription subscription;
    private final List<String> seen = new ArrayList<>();
    int wakes;

    static PolledReader subscribe(LogStreams logs, io.containerlease.lease.LeaseId id, LogStreams.Start start) {
        PolledReader reader = new PolledReader();
        reader.subscription = logs.subscribe(id, start, reader);
        return reader;
    }

    @Override
    public void wake() {
        wakes++;
    }

    /** Everything read so far, reading what waits first. */
    List<String> seen() {
        for (LogStreams.Batch batch = subscription.poll(7); !batch.isEmpty(); batch = subscription.poll(7)) {
            if (batch.missed() != null) {
                seen.add((batch.missed().resumed() ? "gap " : "dropped ")
                        + batch.missed().from() + "-" + batch.missed().to());
            }
            batch.lines().forEach(line -> seen.add(line.seq() + ":" + line.message()));
        }
        return seen;
    }

    /** The lines read so far, reading what waits first. */
    List<LogLine> lines(List<LogLine> into) {
        for (LogStreams.Batch batch = subscription.poll(7); !batch.isEmpty(); batch = subscription.poll(7)) {
            into.addAll(batch.lines());
        }
        return into;
    }

    void cancel() {
        subscription.cancel();
    }
}
