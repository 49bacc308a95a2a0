package io.containerlease.support;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.runtime.docker.DockerHelperVolume;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The real engine as the tests see it, and the clean-up every integration test ends with. */
public final class TestDocker {
    private static final DockerClients.NegotiatedClient CLIENT =
            DockerClients.connect(ServiceConfig.DEFAULT_DOCKER_HOST, Duration.ofSeconds(60));

    private TestDocker() {}

    /** Every container this test run made that is still on the engine. */
    public static List<Container> containersOfThisRun() {
        Map<String, String> labels = RunLabels.labels();
        if (labels.isEmpty()) {
            throw new IllegalStateException(
                    "CONTAINER_LABELS is not set for this test run (the pom sets it; run bin/test)");
        }
        return client().listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(labels)
                .exec();
    }

    public static DockerClient client() {
        return CLIENT.client();
    }

    public static String apiVersion() {
        return CLIENT.apiVersion();
    }

    public static List<Container> containersOf(String instanceId) {
        return client().listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(ManagedLabels.INSTANCE, instanceId))
                .exec();
    }

    /**
     * The deadline a container's helper holds now, as its first process's arguments show it (what a
     * tenant reads in /proc/1/cmdline too); empty when it is not running or holds none.
     */
    public static java.util.Optional<java.time.Instant> heldDeadline(String container) {
        try {
            String args = exec(container, "tr '\\0' ' ' < /proc/1/cmdline", java.time.Duration.ofSeconds(10));
            var m = java.util.regex.Pattern.compile(" init --deadline 0*([0-9]+) ")
                    .matcher(args);
            return m.find()
                    ? java.util.Optional.of(java.time.Instant.ofEpochSecond(Long.parseLong(m.group(1))))
                    : java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        } catch (RuntimeException notRunning) {
            return java.util.Optional.empty();
        }
    }

    /** What the container has written so far, stdout and stderr together (the test's own containers: small). */
    public static String logs(String container) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        client().logContainerCmd(container)
                .withStdOut(true)
                .withStdErr(true)
                .exec(
                        new com.github.dockerjava.api.async.ResultCallback.Adapter<
                                com.github.dockerjava.api.model.Frame>() {
                            @Override
                            public void onNext(com.github.dockerjava.api.model.Frame frame) {
                                out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                            }
                        })
                .awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
        return out.toString();
    }

    public static boolean exists(String nameOrId) {
        try {
            client().inspectContainerCmd(nameOrId).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Removes every container and volume labelled with this instance; returns how many containers there were. */
    public static int removeAllOf(String instanceId) {
        List<Container> left = containersOf(instanceId);
        left.forEach(c -> removeIfPresent(c.getId()));
        java.util.stream.Stream.concat(volumesOf(instanceId).stream(), helperVolumesOf(instanceId).stream())
                .forEach(name -> {
                    try {
                        client().removeVolumeCmd(name).exec();
                    } catch (NotFoundException alreadyGone) {
                        // what the test wanted
                    }
                });
        return left.size();
    }

    /** The volumes that carry the helper into this instance's containers (left by a server that was killed). */
    public static List<String> helperVolumesOf(String instanceId) {
        var volumes = client().listVolumesCmd()
                .withFilter("label", List.of(DockerHelperVolume.LABEL + "=" + instanceId))
                .exec()
                .getVolumes();
        return volumes == null
                ? List.of()
                : volumes.stream().map(v -> v.getName()).toList();
    }

    /** The names of the code volumes labelled with this instance. */
    public static List<String> volumesOf(String instanceId) {
        var volumes = client().listVolumesCmd()
                .withFilter("label", List.of(ManagedLabels.INSTANCE + "=" + instanceId))
                .exec()
                .getVolumes();
        return volumes == null
                ? List.of()
                : volumes.stream().map(v -> v.getName()).toList();
    }

    public static void removeIfPresent(String nameOrId) {
        try {
            client().removeContainerCmd(nameOrId)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
        } catch (NotFoundException alreadyGone) {
            // what the test wanted
        }
    }

    /** Runs {@code script} with sh in the container as its own user (as a tenant's shell would); its stdout and stderr together. */
    public static String exec(String container, String script, java.time.Duration timeout) throws InterruptedException {
        var exec = client().execCreateCmd(container)
                .withCmd("sh", "-c", script)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .exec();
        StringBuilder out = new StringBuilder();
        client().execStartCmd(exec.getId())
                .exec(
                        new com.github.dockerjava.api.async.ResultCallback.Adapter<
                                com.github.dockerjava.api.model.Frame>() {
                            @Override
                            public void onNext(com.github.dockerjava.api.model.Frame frame) {
                                synchronized (out) {
                                    out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                                }
                            }
                        })
                .awaitCompletion(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        synchronized (out) {
            return out.toString();
        }
    }
}
