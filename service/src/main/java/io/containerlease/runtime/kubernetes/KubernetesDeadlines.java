package io.containerlease.runtime.kubernetes;

import io.containerlease.helper.HelperBinary;
import io.containerlease.lease.RuntimeUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running pod's own deadline, held by our helper as its PID 1 (helper/PROTOCOL.md, "init"), as on
 * Docker: moved through the API server's attach to PID 1's standard input (the pod's container is
 * made with its input open; no process inside can write it), and read back with the helper's
 * {@code held} through exec, which prints what PID 1's arguments say now. The pod's
 * {@code activeDeadlineSeconds} stays the hard cap: the API lets it only go down, and an extension
 * must be able to move the helper's deadline up to that cap again.
 */
final class KubernetesDeadlines {
    private static final Duration CONFIRM_WITHIN = Duration.ofSeconds(2);
    private static final long FIRST_LOOK_MILLIS = 25;
    private static final long POLL_MILLIS = 100;
    /** What {@code held} may print: digits and a newline; more is not our helper's. */
    private static final int MAX_ANSWER_BYTES = 64;

    private static final Duration HELD_TIMEOUT = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final String namespace;

    KubernetesDeadlines(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Tells the helper its deadline and waits until it shows it; false when it does not within two seconds. */
    boolean hold(String pod, Instant deadline) {
        long epoch = LeasePods.ceilSeconds(deadline);
        var opening = new StreamOpening();
        ExecWatch attach = KubernetesCalls.call(
                "tell " + pod + " its deadline",
                () -> container(pod).redirectingInput().usingListener(opening).attach());
        try {
            opening.await(attach, pod);
            OutputStream in = attach.getInput();
            in.write(("deadline " + epoch + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            long until = System.nanoTime() + CONFIRM_WITHIN.toNanos();
            sleep(FIRST_LOOK_MILLIS);
            while (!held(pod).map(at -> at.getEpochSecond() == epoch).orElse(false)) {
                if (System.nanoTime() >= until) {
                    return false;
                }
                sleep(POLL_MILLIS);
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            attach.close();
        }
    }

    /** The deadline the pod's helper holds now; empty when it holds none, or the pod does not run. */
    Optional<Instant> held(String pod) {
        var out = new Bounded();
        ExecWatch exec;
        try {
            exec = container(pod).writingOutput(out).exec(HelperBinary.PATH, "held");
        } catch (RuntimeException notRunning) {
            return Optional.empty();
        }
        try (exec) {
            Integer code = exec.exitCode().get(HELD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            String digits = out.text().strip();
            if (code == null
                    || code != 0
                    || digits.isEmpty()
                    || digits.length() > 18
                    || !digits.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(digits)));
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeUnavailableException("interrupted while reading a pod's deadline", e);
        }
    }

    private ContainerResource container(String pod) {
        return client.pods().inNamespace(namespace).withName(pod).inContainer(LeasePods.CONTAINER);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeUnavailableException("interrupted while waiting for a pod's deadline", e);
        }
    }

    /** Keeps at most {@link #MAX_ANSWER_BYTES}: a tenant cannot make the service hold more, whatever runs. */
    private static final class Bounded extends OutputStream {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (kept.size() < MAX_ANSWER_BYTES) {
                kept.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            kept.write(b, off, Math.max(0, Math.min(len, MAX_ANSWER_BYTES - kept.size())));
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.US_ASCII);
        }
    }
}
