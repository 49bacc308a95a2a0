package io.containerlease.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log streaming for every lease: one Docker follow per lease, started by its first reader and kept
 * until the lease ends, so a reader who drops and comes back finds what it missed in the buffer.
 */
public final class LogStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogStreams.class);

    /**
     * Told that lines wait for its subscription ({@link Subscription#poll}); must not block. Each
     * reader reads at its own pace from the lease's buffer, so a reader is never sent more than it
     * takes, and one that falls behind the buffer learns how many lines it missed.
     */
    public interface Reader {
        void wake();
    }

    /**
     * Lines a reader did not get: {@code from} to {@code to} (inclusive) left the buffer before it read
     * them. {@code resumed}: it asked to resume after lines no longer held; otherwise it fell behind.
     */
    public record Missed(long from, long to, boolean resumed) {
        public long count() {
            return to - from + 1;
        }
    }

    /**
     * What a reader reads next: what it missed, if anything, then lines in order. {@code caughtUp}: it
     * has now read every line that was held when it started (once the history had arrived).
     */
    public record Batch(Missed missed, List<LogLine> lines, boolean caughtUp) {
        public boolean isEmpty() {
            return missed == null && lines.isEmpty();
        }
    }

    /** Where a reader starts: the last N lines, after a sequence number it has seen, or all held lines. */
    public sealed interface Start {
        record Tail(int lines) implements Start {}

        record After(long seq) implements Start {}

        record Everything() implements Start {}
    }

    /** How much a lease's log may hold: at most so many lines, and about so many bytes of heap, each and in all. */
    public record Budget(int linesPerLease, long bytesPerLease, long bytesTotal) {}

    private final ContainerStreams streams;
    private final Budget budget;
    private final EndedLeases ended;
    private final ConcurrentHashMap<LeaseId, LeaseLog> logs = new ConcurrentHashMap<>();
    private final AtomicLong heldBytes = new AtomicLong();
    private final AtomicLong evictedLines = new AtomicLong();
    private final Object trimming = new Object();

    public LogStreams(ContainerStreams streams, Budget budget, EndedLeases ended) {
        this.streams = streams;
        this.budget = budget;
        this.ended = ended;
    }

    /** The heap every lease's buffered log lines are counted as, together. */
    public long heldBytes() {
        return heldBytes.get();
    }

    /** Lines dropped to keep all buffers within the total budget (not those a full lease buffer drops). */
    public long evictedLines() {
        return evictedLines.get();
    }

    public Budget budget() {
        return budget;
    }

    /**
     * While all buffers together hold more than the total budget, the oldest lines of the largest
     * buffer go, until it is no larger than the next largest (so no chatty lease can take the
     * others' history). Called with no buffer's lock held.
     */
    private void keepWithinTotal() {
        if (heldBytes.get() <= budget.bytesTotal()) {
            return;
        }
        synchronized (trimming) {
            while (heldBytes.get() > budget.bytesTotal()) {
                LeaseLog largest = null;
                long second = 0;
                for (LeaseLog candidate : logs.values()) {
                    long size = candidate.bytes;
                    if (largest == null || size > largest.bytes) {
                        if (largest != null) {
                            second = Math.max(second, largest.bytes);
                        }
                        largest = candidate;
                    } else {
                        second = Math.max(second, size);
                    }
                }
                if (largest == null) {
                    return;
                }
                long excess = heldBytes.get() - budget.bytesTotal();
                long freed = largest.trim(Math.min(excess, Math.max(1, largest.bytes - second)));
                if (freed == 0) {
                    return; // every buffer is down to its newest line
                }
            }
        }
    }

    /**
     * Starts a reader where it asked: it reads with {@link Subscription#poll} whenever it is woken,
     * the lines it asked for from the buffer first, then every new one, with no gap and no duplicate.
     *
     * @throws LeaseEndedException when the lease has ended (its log is no longer followed)
     */
    public Subscription subscribe(LeaseId id, Start start, Reader reader) {
        ended.requireNotEnded(id);
        LeaseLog leaseLog = logs.computeIfAbsent(id, LeaseLog::new);
        // stop() drops the log after the tombstone is written: a log made after that is taken back here.
        if (ended.contains(id)) {
            if (logs.remove(id, leaseLog)) {
                leaseLog.close();
            }
            ended.requireNotEnded(id);
        }
        leaseLog.ensureFollowing();
        Cursor cursor = new Cursor(leaseLog, reader);
        synchronized (leaseLog) {
            switch (start) {
                // "The last N lines" is only known once the history has arrived: such a reader starts then.
                case Start.Tail t -> cursor.startAtTail(t.lines());
                case Start.Everything e -> cursor.position = leaseLog.buffer.firstSeq() - 1;
                case Start.After a -> {
                    // Past the newest line (numbered by a server that has since restarted, say): from what comes next.
                    cursor.position = leaseLog.historyComplete ? Math.min(a.seq(), leaseLog.buffer.lastSeq()) : a.seq();
                    cursor.resuming = true;
                }
            }
            if (leaseLog.historyComplete) {
                cursor.startedAtSeq = leaseLog.buffer.lastSeq();
            }
            leaseLog.readers.add(cursor);
        }
        reader.wake();
        return cursor;
    }

    /**
     * The lease's container runs again (started or restarted): a log that was being followed picks
     * the stream up where it left off, so its readers see the new output with {@code seq} going on.
     */
    public void containerStarted(LeaseId id) {
        LeaseLog leaseLog = logs.get(id);
        if (leaseLog != null && !ended.contains(id)) {
            leaseLog.ensureFollowing();
        }
    }

    /** Whether this lease's log is followed and buffered here (for tests: none of it outlives the lease). */
    public boolean tracks(LeaseId id) {
        return logs.containsKey(id);
    }

    /** The lease ended (its tombstone is already written): stop following it and drop its buffer. Idempotent. */
    public void stop(LeaseId id) {
        LeaseLog leaseLog = logs.remove(id);
        if (leaseLog != null) {
            leaseLog.close();
        }
    }

    /**
     * The server is stopping: every follow is closed here, before the engine's client goes, so none
     * of them "breaks" (and is reported) on the way down. The leases run on; the next start follows
     * them again.
     */
    @Override
    public void close() {
        logs.keySet().forEach(this::stop);
    }

    /** A reader's place in a lease's log. */
    public interface Subscription {
        /** At most {@code maxLines} lines after the last one read (none when nothing new). Never waits. */
        Batch poll(int maxLines);

        /** Stops reading. Idempotent. */
        void cancel();
    }

    private static final class Cursor implements Subscription {
        private final LeaseLog leaseLog;
        final Reader reader;
        /** The last sequence number read; under the log's lock. */
        long position;
        /** The first poll after {@code After} reports lines no longer held as a resume's gap. */
        boolean resuming;
        /** Waiting for the history before starting at its last {@code tailLines}; -1 when not waiting. */
        int tailLines = -1;
        /** The newest line held when it started (once the history was in); -1 until known. */
        long startedAtSeq = -1;

        Cursor(LeaseLog leaseLog, Reader reader) {
            this.leaseLog = leaseLog;
            this.reader = reader;
        }

        /** Under the log's lock. */
        void startAtTail(int lines) {
            if (leaseLog.historyComplete) {
                position = Math.max(leaseLog.buffer.firstSeq(), leaseLog.buffer.lastSeq() - lines + 1) - 1;
                tailLines = -1;
            } else {
                tailLines = lines;
            }
        }

        @Override
        public Batch poll(int maxLines) {
            synchronized (leaseLog) {
                if (tailLines >= 0) {
                    return new Batch(null, List.of(), false);
                }
                Missed missed = null;
                long first = leaseLog.buffer.firstSeq();
                if (position + 1 < first) {
                    missed = new Missed(position + 1, first - 1, resuming);
                    position = first - 1;
                }
                resuming = false;
                List<LogLine> lines = leaseLog.buffer.after(position, maxLines);
                position += lines.size();
                return new Batch(missed, lines, startedAtSeq >= 0 && position >= startedAtSeq);
            }
        }

        @Override
        public void cancel() {
            leaseLog.readers.remove(this);
        }
    }

    private final class LeaseLog implements ContainerStreams.LogSink {
        final LeaseId id;
        final LogBuffer buffer = new LogBuffer(budget.linesPerLease(), budget.bytesPerLease());
        /** The buffer's size, readable without its lock by the trimming of the largest buffer. */
        volatile long bytes;

        final Set<Cursor> readers = new CopyOnWriteArraySet<>();
        /** Every line written before the first follow began is in the buffer (or was dropped from it). */
        boolean historyComplete;

        private Closeable follow;
        private boolean closed;
        private Instant lastTimestamp;
        /** While a follow replays the second it started in, lines not newer than this are already held. */
        private Instant skipThrough;

        LeaseLog(LeaseId id) {
            this.id = id;
        }

        /**
         * The first call follows the container from the buffer's worth of history on, so readers get
         * the history as it streams in, not after it; after a broken follow (or a restart of the
         * container) it follows again from the newest line held, skipping what it already has.
         */
        synchronized void ensureFollowing() {
            if (follow != null || closed) {
                return;
            }
            String container = ManagedLabels.containerName(id);
            if (lastTimestamp == null) {
                follow = streams.followLogs(container, budget.linesPerLease(), null, this);
            } else {
                skipThrough = lastTimestamp;
                follow = streams.followLogs(container, 0, lastTimestamp, this);
            }
        }

        @Override
        public void line(boolean stderr, Instant timestamp, String text) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (skipThrough != null) {
                    if (!timestamp.isAfter(skipThrough)) {
                        return;
                    }
                    skipThrough = null;
                }
                lastTimestamp = timestamp;
                buffer.append(timestamp, stderr ? LogLine.STDERR : LogLine.STDOUT, text);
                account();
            }
            for (Cursor reader : readers) {
                reader.reader.wake();
            }
            keepWithinTotal();
        }

        /** The readers waiting for the history start at their last N lines. */
        @Override
        public void historyEnd() {
            synchronized (this) {
                if (historyComplete) {
                    return; // a later follow's history is lines already held
                }
                historyComplete = true;
                for (Cursor reader : readers) {
                    if (reader.tailLines >= 0) {
                        reader.startAtTail(reader.tailLines);
                    }
                    reader.position = Math.min(reader.position, buffer.lastSeq()); // as a resume past the end does
                    reader.startedAtSeq = buffer.lastSeq();
                }
            }
            for (Cursor reader : readers) {
                reader.reader.wake();
            }
        }

        /** Brings the shared count up to date with this buffer; under this log's lock. */
        private void account() {
            long now = buffer.bytes();
            heldBytes.addAndGet(now - bytes);
            bytes = now;
        }

        synchronized long trim(long atLeast) {
            long before = buffer.firstSeq();
            long freed = buffer.trimOldest(atLeast);
            evictedLines.addAndGet(buffer.firstSeq() - before);
            account();
            return freed;
        }

        @Override
        public synchronized void closed(Throwable error) {
            if (error != null && !closed) {
                log.warn(
                        "log stream broke; the next reader restarts it {} {}",
                        kv("leaseId", id.value()),
                        kv("error", error.getMessage()));
            }
            follow = null;
            historyEnd(); // whatever arrived is all the history there will be from this follow
        }

        synchronized void close() {
            closed = true;
            heldBytes.addAndGet(-bytes);
            bytes = 0;
            if (follow != null) {
                try {
                    follow.close();
                } catch (IOException ignored) {
                    // the stream is being discarded
                }
            }
        }
    }
}
