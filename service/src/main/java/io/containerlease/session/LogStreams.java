package io.containerlease.session;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ContainerStreams;
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
public final class LogStreams {
    private static final Logger log = LoggerFactory.getLogger(LogStreams.class);

    /** Where a reader's lines go. Must not block: it queues and drops as it must. */
    public interface Reader {
        void line(LogLine line);

        /** The lines between {@code from} and {@code to} (inclusive) are no longer held. */
        void gap(long from, long to);
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
     * Sends the reader what it asked for from the buffer, then every new line, with no gap and no
     * duplicate between the two. Returns the handle that stops it.
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
        keepWithinTotal(); // the history just read counts too
        synchronized (leaseLog) {
            switch (start) {
                case Start.Tail t -> leaseLog.buffer.tail(t.lines()).forEach(reader::line);
                case Start.Everything e -> leaseLog.buffer.after(0).forEach(reader::line);
                case Start.After a -> {
                    long first = leaseLog.buffer.firstSeq();
                    if (a.seq() + 1 < first) {
                        reader.gap(a.seq() + 1, first - 1);
                    }
                    leaseLog.buffer.after(a.seq()).forEach(reader::line);
                }
            }
            leaseLog.readers.add(reader);
        }
        return () -> leaseLog.readers.remove(reader);
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

    /** Stops reading a lease's log. Idempotent. */
    public interface Subscription {
        void cancel();
    }

    private final class LeaseLog implements ContainerStreams.LogSink {
        final LeaseId id;
        final LogBuffer buffer = new LogBuffer(budget.linesPerLease(), budget.bytesPerLease());
        /** The buffer's size, readable without its lock by the trimming of the largest buffer. */
        volatile long bytes;
        final Set<Reader> readers = new CopyOnWriteArraySet<>();
        private Closeable follow;
        private boolean historyRead;
        private boolean closed;
        private Instant lastTimestamp;
        /** While a follow replays the second it started in, lines not newer than this are already held. */
        private Instant skipThrough;

        LeaseLog(LeaseId id) {
            this.id = id;
        }

        /**
         * The first call reads the history into the buffer before anyone is subscribed, so the first
         * reader's {@code tail} or {@code after} finds it there, exactly as a later reader would; then
         * (and after a broken follow) it follows from the newest line held, skipping what it already has.
         */
        synchronized void ensureFollowing() {
            if (follow != null || closed) {
                return;
            }
            String container = ManagedLabels.containerName(id);
            Instant since = Instant.now();
            if (!historyRead) {
                streams.readLogs(container, budget.linesPerLease(), this);
                historyRead = true;
            }
            if (lastTimestamp != null) {
                since = lastTimestamp;
                skipThrough = lastTimestamp;
            }
            follow = streams.followLogs(container, since, this);
        }

        @Override
        public void line(boolean stderr, Instant timestamp, String text) {
            LogLine line;
            List<Reader> targets;
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
                line = buffer.append(timestamp, stderr ? "error" : "info", text);
                account();
                targets = List.copyOf(readers);
            }
            for (Reader r : targets) {
                r.line(line);
            }
            if (!Thread.holdsLock(this)) { // a history read holds it: its caller trims afterwards
                keepWithinTotal();
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
                log.warn("log stream broke; the next reader restarts it {} {}", kv("leaseId", id.value()), kv("error", error.getMessage()));
            }
            follow = null;
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
