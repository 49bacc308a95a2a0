package io.containerlease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.config.ImageCatalog;
import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.LeaseStore;
import io.containerlease.lease.RuntimeUnavailableException;
import io.containerlease.runtime.docker.DockerClients;
import io.containerlease.runtime.docker.DockerCodeEngine;
import io.containerlease.runtime.docker.DockerContainerEvents;
import io.containerlease.runtime.docker.DockerContainerRuntime;
import io.containerlease.runtime.docker.DockerContainerStreams;
import io.containerlease.runtime.docker.DockerUsageStreams;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Docker runtime: every engine port on one Docker engine, reached at DOCKER_HOST. */
final class DockerAssembly {
    private static final Logger log = LoggerFactory.getLogger(DockerAssembly.class);

    private DockerAssembly() {}

    /** Connects to the engine (a start that cannot reach one stops, saying where it looked). */
    static Engine connect(ServiceConfig config, ImageCatalog catalog, LeaseStore store, Started started) {
        var docker = negotiate(config);
        var runtime = started.add(new DockerContainerRuntime(
                docker.client(),
                config.imagePullTimeout(),
                config.containerLabels(),
                store.instanceId(),
                store.serverId()));
        checkDiskQuotas(catalog, runtime);
        // Follows and streams hold their connection for long: they get a client of their own.
        var streaming = started.add(DockerClients.streaming(config.dockerHost(), docker));
        return new Engine(
                runtime,
                new DockerContainerStreams(
                        streaming, DockerContainerStreams.unixSocket(config.dockerHost()), docker.apiVersion()),
                new DockerContainerEvents(streaming),
                new DockerUsageStreams(streaming),
                new DockerCodeEngine(docker.client(), config.containerLabels()),
                runtime::engineId,
                docker.apiVersion());
    }

    private static DockerClients.NegotiatedClient negotiate(ServiceConfig config) {
        try {
            return DockerClients.connect(config.dockerHost(), Duration.ofSeconds(60));
        } catch (RuntimeUnavailableException e) {
            throw new StartupException(
                    "Cannot reach a Docker engine at DOCKER_HOST=" + config.dockerHost() + " ("
                            + e.getMessage() + ").\n"
                            + "Start one (on Debian, as root: scripts/ensure-docker.sh, which installs docker.io and runs\n"
                            + "'dockerd --bridge=none --iptables=false --ip-masq=false'), or set DOCKER_HOST to an engine that answers.",
                    e);
        }
    }

    /** Says at start, once, when the catalog asks for writable-layer quotas that this engine cannot enforce. */
    private static void checkDiskQuotas(ImageCatalog catalog, DockerContainerRuntime runtime) {
        var wanting = catalog.imageTypes().stream()
                .map(t -> catalog.find(t).orElseThrow())
                .filter(spec -> spec.disk().writableLayerMb().isPresent())
                .toList();
        if (wanting.isEmpty()) {
            return;
        }
        try {
            if (!runtime.probeWritableLayerQuota(wanting.get(0))) {
                log.warn(
                        "the engine's storage driver cannot cap a container's writable layer (overlay2 needs xfs with pquota); "
                                + "diskMb is not enforced {}",
                        kv(
                                "imageTypes",
                                wanting.stream().map(ImageSpec::imageType).toList()));
            }
        } catch (RuntimeException e) {
            log.warn(
                    "could not find out whether writable-layer quotas work; diskMb is not enforced {}",
                    kv("error", e.getMessage()));
        }
    }
}
