package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.ManagedLabels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for a container's own helper where the helper cannot act, with no store and no server:
 * removes every container of ours (any cluster) whose own deadline has passed. That is one past the
 * deadline in its label (its hard deadline, fixed at creation: paused, stopped or never started), a
 * paused one past the deadline its frozen helper holds, and a stopped one its helper ended at its
 * deadline (its last lines say so; a tenant who writes them ends only its own container early).
 * Nothing else is touched: a container is removed only when its own promise says it is over.
 */
public final class DockerDeadlineSweep {
    /** How much of a stopped container's last log lines is read to find its helper's last words. */
    static final int LAST_WORDS_BYTES = 64 * 1024;
    /** The helper's line may be followed by the program's own on its way out. */
    static final int LAST_LINES = 20;

    /** One container removed, and why. */
    public record Removed(String container, String name, String lease, String why) {}

    private final DockerClient docker;
    private final DockerDeadlines deadlines;
    private final Map<String, String> only;
    /**
     * Stopped containers already found not ended by their helper, with when they stopped: their logs
     * are not read again on every pass until they stop again (or go).
     */
    private final Map<String, String> notEndedByHelper = new java.util.HashMap<>();

    /** @param only labels a container must also carry to be looked at (a cluster's, say); empty for every container of ours */
    public DockerDeadlineSweep(DockerClient docker, Map<String, String> only) {
        this.docker = docker;
        this.deadlines = new DockerDeadlines(docker);
        this.only = Map.copyOf(only);
    }

    /** One pass: what was removed. Passes run one at a time. */
    public List<Removed> sweep(Instant now) {
        List<Container> ours = DockerCalls.call(
                "list containers with a deadline",
                () -> docker.listContainersCmd()
                        .withShowAll(true)
                        .withLabelFilter(List.of(ManagedLabels.DEADLINE))
                        .exec());
        List<Removed> removed = new ArrayList<>();
        notEndedByHelper.keySet().retainAll(ours.stream().map(Container::getId).toList());
        for (Container c : ours) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            if (!labels.entrySet().containsAll(only.entrySet())) {
                continue;
            }
            Optional<String> why = verdict(c.getId(), String.valueOf(c.getState()), hardDeadline(labels), now);
            if (why.isPresent()) {
                try {
                    docker.removeContainerCmd(c.getId())
                            .withForce(true)
                            .withRemoveVolumes(true)
                            .exec();
                } catch (NotFoundException alreadyGone) {
                    // what was wanted
                }
                String name = c.getNames() == null || c.getNames().length == 0
                        ? c.getId()
                        : c.getNames()[0].replaceFirst("^/", "");
                removed.add(new Removed(c.getId(), name, labels.getOrDefault(ManagedLabels.LEASE_ID, "?"), why.get()));
            }
        }
        return removed;
    }

    private Optional<String> verdict(String id, String state, Optional<Instant> hard, Instant now) {
        if (hard.isPresent() && !now.isBefore(hard.get())) {
            return Optional.of(state + " past its hard deadline " + hard.get());
        }
        if (state.equals("paused")) {
            // Frozen, its helper cannot end it; what it holds is still in its arguments.
            return deadlines
                    .held(id)
                    .filter(held -> !now.isBefore(held))
                    .map(held -> "paused past its deadline " + held);
        }
        if (state.equals("exited") && endedByItsHelper(id)) {
            return Optional.of("its helper ended it at its deadline");
        }
        return Optional.empty();
    }

    private static Optional<Instant> hardDeadline(Map<String, String> labels) {
        try {
            return Optional.ofNullable(labels.get(ManagedLabels.DEADLINE)).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Whether the container's last lines on stderr hold its helper's at the deadline (the engine cuts long lines at 16 KiB). */
    private boolean endedByItsHelper(String id) {
        var state = docker.inspectContainerCmd(id).exec().getState();
        Long exit = state.getExitCodeLong();
        if (exit == null || exit != 0) {
            return false; // the helper exits 0 at its deadline
        }
        String stoppedAt = String.valueOf(state.getFinishedAt());
        if (stoppedAt.equals(notEndedByHelper.get(id))) {
            return false;
        }
        boolean ended = lastLinesHoldTheHelpers(id);
        if (!ended) {
            notEndedByHelper.put(id, stoppedAt);
        }
        return ended;
    }

    private boolean lastLinesHoldTheHelpers(String id) {
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        var callback = new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                if (tail.size() < LAST_WORDS_BYTES) {
                    tail.writeBytes(frame.getPayload());
                }
            }
        };
        try {
            docker.logContainerCmd(id)
                    .withStdErr(true)
                    .withStdOut(false)
                    .withTail(LAST_LINES)
                    .exec(callback)
                    .awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (NotFoundException gone) {
            return false;
        }
        return tail.toString(StandardCharsets.UTF_8).contains(HelperBinary.DEADLINE_PASSED);
    }
}
