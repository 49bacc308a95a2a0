package io.containerlease.session;

import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.LeaseId;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One interactive shell in a lease's container. It outlives its connections: clients attach and
 * detach, and a client that comes back with the last offset it saw gets exactly the bytes it
 * missed (as far as the ring holds them), then the live output, with no gap or duplicate between.
 */
public final class TerminalSession implements ContainerStreams.ShellOutput {

    /** An attached client. Its methods must not block: they queue. */
    public interface Client {
        void output(byte[] bytes);

        /** The shell exited (with {@code status} when the engine reported one); the session is gone. */
        void exited(java.util.OptionalInt status);
    }

    /**
     * What a client gets on attaching.
     *
     * @param offset   the offset of the first byte of {@code replay}
     * @param lostFrom when the requested offset is older than the ring holds, where the loss starts
     * @param exited   the shell had already exited (a short command, say): the replay is all it wrote,
     *                 nothing live follows and the client was not attached
     * @param status   with {@code exited}, its exit status when the engine reported one
     */
    public record Attachment(long offset, byte[] replay, long lostFrom, boolean exited, java.util.OptionalInt status) {
        public boolean lostBytes() {
            return lostFrom < offset;
        }
    }

    /** Hears when a session loses its last client and when it gets one again (to end shells nobody comes back to). */
    interface Attendance {
        void unattended(TerminalSession session);

        void attended(TerminalSession session);
    }

    /** What a client may see of a shell it could resume. */
    public record Summary(String sessionId, Instant createdAt, int attached, Instant unattendedSince, long offset) {}

    private final String id;
    private final LeaseId leaseId;
    private final OutputRing ring;
    private final Set<Client> clients = new LinkedHashSet<>();
    private final Consumer<TerminalSession> onExit;
    private final Attendance attendance;
    private final Instant createdAt;
    private final InstantSource clock;
    private volatile ContainerStreams.Shell shell;
    private boolean exited;
    private java.util.OptionalInt exitStatus = java.util.OptionalInt.empty();
    /** Being ended because nobody was attached: no client may attach any more. */
    private boolean reaping;

    private Instant unattendedSince;

    TerminalSession(
            String id,
            LeaseId leaseId,
            int ringBytes,
            Consumer<TerminalSession> onExit,
            Attendance attendance,
            InstantSource clock) {
        this.id = id;
        this.leaseId = leaseId;
        this.ring = new OutputRing(ringBytes);
        this.onExit = onExit;
        this.attendance = attendance;
        this.clock = clock;
        this.createdAt = clock.instant();
        this.unattendedSince = createdAt;
    }

    public synchronized Summary summary() {
        return new Summary(id, createdAt, clients.size(), unattendedSince, ring.end());
    }

    void started(ContainerStreams.Shell shell) {
        this.shell = shell;
    }

    public String id() {
        return id;
    }

    /** Whether the shell ended by itself with a status the engine reported (not ended by the service). */
    synchronized boolean exitedWithStatus() {
        return exited && exitStatus.isPresent();
    }

    public LeaseId leaseId() {
        return leaseId;
    }

    /**
     * Attaches a client from {@code offset}. {@code beforeLive} receives the replay while the
     * session is locked, before the first live byte can reach the client: whatever it sends goes
     * out ahead of the live output.
     *
     * A shell that exited before its client came (by itself, not ended by the service) still gives
     * its output and status, so a command that ends at once loses neither.
     *
     * @throws OffsetOutOfRangeException when the offset is beyond what the shell has produced
     * @throws ExitedException when the shell was ended by the service
     */
    public synchronized Attachment attach(Client client, long offset, Consumer<Attachment> beforeLive) {
        if (reaping || (exited && exitStatus.isEmpty())) {
            throw new ExitedException("the shell of session " + id + " has exited");
        }
        if (offset < 0 || offset > ring.end()) {
            throw new OffsetOutOfRangeException(
                    "offset " + offset + " is beyond the " + ring.end() + " bytes produced so far");
        }
        long from = Math.max(offset, ring.start());
        Attachment attachment = new Attachment(from, ring.copyFrom(from), offset, exited, exitStatus);
        beforeLive.accept(attachment);
        if (exited) {
            return attachment;
        }
        if (clients.add(client) && clients.size() == 1) {
            unattendedSince = null;
            attendance.attended(this);
        }
        return attachment;
    }

    public synchronized void detach(Client client) {
        if (clients.remove(client) && clients.isEmpty() && !exited) {
            unattendedSince = clock.instant();
            attendance.unattended(this);
        }
    }

    /** Sends input to the shell; false when the shell is too far behind to take it (see {@link ContainerStreams.Shell#write}). */
    public boolean input(byte[] data) {
        ContainerStreams.Shell s = shell;
        return s == null || s.write(data);
    }

    public void resize(int cols, int rows) {
        ContainerStreams.Shell s = shell;
        if (s != null) {
            s.resize(cols, rows);
        }
    }

    @Override
    public synchronized void bytes(byte[] data) {
        // Delivered under the lock that attach() takes, so a client never misses or repeats a byte.
        ring.append(data);
        for (Client c : clients) {
            c.output(data);
        }
    }

    @Override
    public void exited(java.util.OptionalInt status) {
        List<Client> left;
        synchronized (this) {
            if (exited) {
                return;
            }
            exited = true;
            exitStatus = status;
            left = new ArrayList<>(clients);
            clients.clear();
        }
        left.forEach(client -> client.exited(status));
        onExit.accept(this);
    }

    /** A client asked to resume after bytes the shell never produced. */
    public static final class OffsetOutOfRangeException extends RuntimeException {
        OffsetOutOfRangeException(String message) {
            super(message, null, false, false);
        }
    }

    /** The shell exited before the client attached. */
    public static final class ExitedException extends RuntimeException {
        ExitedException(String message) {
            super(message, null, false, false);
        }
    }

    /** Ends the shell if, at this moment, no client is attached; a client attaching meanwhile is refused. */
    boolean closeIfUnattended() {
        synchronized (this) {
            if (exited || reaping || !clients.isEmpty()) {
                return false;
            }
            reaping = true;
        }
        close();
        return true;
    }

    /** Ends the shell. Idempotent. */
    void close() {
        ContainerStreams.Shell s = shell;
        if (s != null) {
            s.close();
        }
        exited(java.util.OptionalInt.empty());
    }
}
