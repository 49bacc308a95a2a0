package io.containerlease.runtime;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.ImageSpec;
import io.containerlease.runtime.docker.DockerContainerEvents;
import io.containerlease.runtime.docker.DockerContainerRuntime;
import io.containerlease.runtime.docker.DockerContainerStreams;
import io.containerlease.support.ImageSpecs;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The runtime contract on the real Docker engine, with our helper as every container's PID 1. */
class DockerRuntimeContractIT extends ContainerRuntimeContract {
    private final DockerContainerRuntime runtime =
            new DockerContainerRuntime(TestDocker.client(), Duration.ofSeconds(30), RunLabels.labels(), instance);
    private final DockerContainerEvents events = new DockerContainerEvents(TestDocker.client());
    // With the engine's socket, as the service runs: transfers take a connection of their own.
    private final DockerContainerStreams streams = new DockerContainerStreams(
            TestDocker.client(),
            DockerContainerStreams.unixSocket(io.containerlease.config.ServiceConfig.DEFAULT_DOCKER_HOST),
            TestDocker.apiVersion());

    @AfterEach
    void cleanUp() {
        TestDocker.removeAllOf(instance);
    }

    @Override
    protected ContainerRuntime runtime() {
        return runtime;
    }

    @Override
    protected ContainerEvents events() {
        return events;
    }

    @Override
    protected ContainerStreams streams() {
        return streams;
    }

    @Override
    protected ImageSpec exitingWithThree() {
        return ImageSpecs.withCommand(ImageSpecs.busybox(), List.of("sh", "-c", "exit 3"));
    }
}
