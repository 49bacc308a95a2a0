package io.containerlease.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * What a server that stops leaves behind, in words for its log: how many leases stay, when the next
 * one is due, and that their containers end by themselves at their deadlines should no server return.
 */
public final class StopReport {
    private StopReport() {}

    /**
     * @param live      the leases that stay
     * @param poolWait  how much later than its lease's a container served from the warm pool may end (POOL_MAX_WAIT)
     */
    public static String describe(List<Lease> live, LeasePolicy policy, Duration poolWait, Instant now) {
        if (live.isEmpty()) {
            return "no lease stays; waiting warm-pool containers end by themselves at their deadlines";
        }
        Instant nextDue = live.stream()
                .map(Lease::expiresAt)
                .min(Comparator.naturalOrder())
                .orElseThrow();
        Instant firstDeadline = live.stream()
                .map(policy::containerDeadline)
                .min(Comparator.naturalOrder())
                .orElseThrow();
        Instant lastDeadline = live.stream()
                .map(policy::containerDeadline)
                .max(Comparator.naturalOrder())
                .orElseThrow();
        Instant lastHardDeadline = live.stream()
                .map(policy::containerHardDeadline)
                .max(Comparator.naturalOrder())
                .orElseThrow()
                .plus(poolWait);
        return live.size() + (live.size() == 1 ? " lease stays" : " leases stay") + "; the next is due at " + nextDue
                + (nextDue.isAfter(now) ? " (in " + human(Duration.between(now, nextDue)) + ")" : " (overdue)")
                + ". A server that starts again ends each at its expiry; if none does, each container ends itself at its "
                + "deadline (its expiry plus DEADMAN_MARGIN_SECONDS): the first at " + firstDeadline + ", the last at "
                + lastDeadline
                + "; one the engine restarts before a server returns holds its hard cap instead (every one ends by "
                + lastHardDeadline
                + "). Warm-pool containers end by themselves too.";
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h";
    }
}
