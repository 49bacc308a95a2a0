package io.containerlease.activity;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.Caller;
import io.containerlease.lease.EndReason;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.Redactor;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the activity log: every state-changing request (told by the API) and every lease end
 * (heard as a lease listener). Every text passes the redactor first. A failure to record is logged,
 * never turned into a failed request.
 */
public final class ActivityRecorder implements LeaseListener {
    private static final Logger log = LoggerFactory.getLogger(ActivityRecorder.class);

    private final ActivityLog activity;
    private final LeaseStore store;
    private final Redactor redactor;
    private final InstantSource clock;
    private final java.util.List<java.util.function.Consumer<ActivityEntry>> listeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Hears every entry once it is recorded. */
    public void addListener(java.util.function.Consumer<ActivityEntry> listener) {
        listeners.add(listener);
    }

    public ActivityRecorder(ActivityLog activity, LeaseStore store, Redactor redactor, InstantSource clock) {
        this.activity = activity;
        this.store = store;
        this.redactor = redactor;
        this.clock = clock;
    }

    /**
     * Records a request.
     *
     * @param status the HTTP status it was answered with: 2xx succeeded, 4xx refused, 5xx failed
     * @param reason plain words: what was done, or why not
     */
    public void request(Caller caller, String action, String leaseId, String client, int status, String reason) {
        request(caller, action, leaseId, client, status, false, reason);
    }

    /**
     * @param workFailed the request was answered but its work did not happen (a code update that did
     *                   not come up and was rolled back): {@code failed}, whatever the status
     */
    public void request(
            Caller caller,
            String action,
            String leaseId,
            String client,
            int status,
            boolean workFailed,
            String reason) {
        String outcome = workFailed || status >= 500 ? "failed" : status < 400 ? "succeeded" : "refused";
        record(new ActivityEntry(
                0, clock.instant(), caller.user(), action, leaseId, client, outcome, redactor.scrub(reason)));
    }

    @Override
    public void onEnding(LeaseId id, EndReason reason) {
        String owner = store.find(id).map(l -> l.owner()).orElse("");
        record(new ActivityEntry(
                0,
                clock.instant(),
                owner.isEmpty() ? "unknown" : owner,
                "lease ended",
                id.value(),
                null,
                "succeeded",
                describe(reason)));
    }

    private static String describe(EndReason reason) {
        return switch (reason) {
            case EXPIRED -> "its time ran out";
            case RELEASED -> "it was released";
            case FAILED -> "provisioning failed";
            case LOST -> "its container disappeared";
            case DISCONNECTED -> "nobody reconnected within its disconnect grace";
            case IDLE -> "it was idle for its idle timeout";
            case EXITED -> "its program ended by itself";
        };
    }

    private void record(ActivityEntry entry) {
        try {
            activity.record(entry);
        } catch (RuntimeException e) {
            log.error("activity not recorded {} {}", kv("action", entry.action()), kv("leaseId", entry.leaseId()), e);
            return;
        }
        for (var listener : listeners) {
            try {
                listener.accept(entry);
            } catch (RuntimeException e) {
                log.error("an activity listener failed {}", kv("action", entry.action()), e);
            }
        }
    }
}
