package io.containerlease.session;

import io.containerlease.lease.EndReason;
import io.containerlease.lease.Lease;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the session layer knows of one lease right now, so nobody has to guess why it is alive.
 *
 * @param graceDeadline when the disconnect grace ends it, if the grace is running
 * @param idleDeadline  when the idle rule ends it, if it has an idle timeout
 */
public record SessionStatus(
        int connections,
        Optional<Instant> lastActivityAt,
        Optional<Instant> graceDeadline,
        Optional<Instant> idleDeadline) {

    /** The rule that will end the lease first if nothing changes, and when. Empty for a lease that is not running. */
    public Optional<NextEnd> nextEnd(Lease lease) {
        if (!lease.isLive() || lease.endReason() != null) {
            return Optional.empty();
        }
        List<NextEnd> candidates = new ArrayList<>();
        candidates.add(new NextEnd(EndReason.EXPIRED, lease.expiresAt()));
        graceDeadline.ifPresent(at -> candidates.add(new NextEnd(EndReason.DISCONNECTED, at)));
        idleDeadline.ifPresent(at -> candidates.add(new NextEnd(EndReason.IDLE, at)));
        return candidates.stream().min(Comparator.comparing(NextEnd::at));
    }

    public record NextEnd(EndReason reason, Instant at) {}
}
