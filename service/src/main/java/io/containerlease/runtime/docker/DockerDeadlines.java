package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import io.containerlease.helper.HelperBinary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A running container's own deadline, held by our helper as its PID 1 (helper/PROTOCOL.md, "init").
 * It is moved through the engine's attach to PID 1's standard input, which no process inside can write
 * (the container is created with its input open and the image's command reads /dev/null), and it is
 * read back from the helper's own arguments, which it rewrites to the deadline in force: the engine's
 * {@code top} shows them, for a paused container too.
 */
public final class DockerDeadlines {
    /** How long the helper may take to show a deadline it was told. */
    private static final Duration CONFIRM_WITHIN = Duration.ofSeconds(2);
    /**
     * The first look comes after the helper has had time to read its line (it takes well under a
     * millisecond), and later ones are far apart: each look makes the engine run ps on the host.
     */
    private static final long FIRST_LOOK_MILLIS = 25;

    private static final long POLL_MILLIS = 100;

    private final DockerClient docker;

    public DockerDeadlines(DockerClient docker) {
        this.docker = docker;
    }

    /** Tells the helper its deadline and waits until it shows it; false when it does not within {@link #CONFIRM_WITHIN}. */
    boolean hold(String container, Instant deadline) {
        long epoch = ceilSeconds(deadline);
        byte[] line = ("deadline " + epoch + "\n").getBytes(StandardCharsets.US_ASCII);
        var callback = new ResultCallback.Adapter<Frame>();
        try {
            DockerCalls.call(
                    "tell " + container + " its deadline",
                    () -> docker.attachContainerCmd(container)
                            .withStdIn(new ByteArrayInputStream(line))
                            .withFollowStream(true)
                            .exec(callback));
            long until = System.nanoTime() + CONFIRM_WITHIN.toNanos();
            sleep(FIRST_LOOK_MILLIS);
            while (!held(container).map(at -> at.getEpochSecond() == epoch).orElse(false)) {
                if (System.nanoTime() >= until) {
                    return false;
                }
                sleep(POLL_MILLIS);
            }
            return true;
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // the line is written or it is not; the confirmation above says which
            }
        }
    }

    /**
     * The deadline the container's helper holds now, from its arguments; empty when it has none or the
     * container is not running. Only the container's first process counts (the engine names its host
     * pid): a tenant may start a process with any arguments it likes, even our helper's.
     */
    public Optional<Instant> held(String container) {
        return DockerCalls.call("list the processes of " + container, () -> {
            try {
                Long pid =
                        docker.inspectContainerCmd(container).exec().getState().getPidLong();
                if (pid == null || pid <= 0) {
                    return Optional.<Instant>empty();
                }
                // That process alone: what is read stays one short line, however many processes a
                // tenant starts and however long their arguments.
                var top = docker.topContainerCmd(container)
                        .withPsArgs("-o pid,args -p " + pid)
                        .exec();
                for (String[] process : top.getProcesses() == null ? new String[0][] : top.getProcesses()) {
                    if (process.length >= 2 && process[0].trim().equals(Long.toString(pid))) {
                        return deadlineIn(process[process.length - 1]);
                    }
                }
                return Optional.<Instant>empty();
            } catch (NotFoundException | ConflictException notRunning) {
                return Optional.<Instant>empty();
            }
        });
    }

    /** The deadline in a process's command line when it is our helper's init ({@code … init --deadline EPOCH …}). */
    static Optional<Instant> deadlineIn(String commandLine) {
        String prefix = HelperBinary.PATH + " init --deadline ";
        if (!commandLine.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = commandLine.substring(prefix.length());
        int end = rest.indexOf(' ');
        String digits = end < 0 ? rest : rest.substring(0, end);
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(Long.parseLong(digits)));
    }

    /** A deadline as a helper holds it: in whole seconds, never earlier than asked. */
    public static Instant asHeld(Instant deadline) {
        return Instant.ofEpochSecond(ceilSeconds(deadline));
    }

    static long ceilSeconds(Instant at) {
        return at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0);
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a container's deadline", e);
        }
    }
}
