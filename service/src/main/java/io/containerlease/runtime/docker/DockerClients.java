package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.containerlease.lease.RuntimeUnavailableException;
import java.io.IOException;
import java.time.Duration;

/**
 * Builds docker-java clients that speak the API version the daemon offers, capped at the newest
 * version docker-java knows, so an older engine (this machine's speaks 1.41) is never sent a
 * request it does not understand.
 */
public final class DockerClients {
    /** The newest Docker API version docker-java 3.7 models. */
    static final RemoteApiVersion NEWEST_KNOWN = RemoteApiVersion.VERSION_1_44;

    private DockerClients() {}

    /**
     * Asks the daemon at {@code dockerHost} for its API version and returns a client pinned to it.
     *
     * @param responseTimeout how long a single response may stall; never set one on a client used for streams
     * @throws RuntimeUnavailableException when no engine answers
     */
    public static NegotiatedClient connect(String dockerHost, Duration responseTimeout) {
        String daemonVersion;
        try (DockerClient probe = build(dockerHost, RemoteApiVersion.unknown(), Duration.ofSeconds(10))) {
            daemonVersion = probe.versionCmd().exec().getApiVersion();
        } catch (IOException | RuntimeException e) {
            throw new RuntimeUnavailableException("no Docker engine answers at " + dockerHost, rootMessage(e), e);
        }
        RemoteApiVersion offered = RemoteApiVersion.parseConfig(daemonVersion);
        RemoteApiVersion chosen = offered.isGreater(NEWEST_KNOWN) ? NEWEST_KNOWN : offered;
        return new NegotiatedClient(build(dockerHost, chosen, responseTimeout), chosen.getVersion());
    }

    /**
     * Another client on the same engine and API version, without a response timeout: for streams
     * (logs, shells) that may stay quiet for as long as a user looks at them.
     */
    public static DockerClient streaming(String dockerHost, NegotiatedClient negotiated) {
        return build(dockerHost, RemoteApiVersion.parseConfig(negotiated.apiVersion()), null);
    }

    private static DockerClient build(String dockerHost, RemoteApiVersion version, Duration responseTimeout) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .withApiVersion(version)
                .build();
        var http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(responseTimeout) // null: no timeout
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** A client and the API version it was pinned to. */
    public record NegotiatedClient(DockerClient client, String apiVersion) {}
}
