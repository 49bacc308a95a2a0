package io.containerlease.support;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * fabric8's Kubernetes API server mock in CRUD mode (objects kept, label selectors, watches,
 * resourceVersions), with every request recorded and a place for handlers that answer what CRUD
 * cannot (a kubelet's exec, attach and log). What it proves is the API the runtime speaks; no pod
 * runs here: a {@link FakeKubelet} moves their status.
 */
public final class KubernetesMock implements AutoCloseable {
    /** The mock tells each request at INFO; held here so the level stays (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger QUIET = quiet();

    private static java.util.logging.Logger quiet() {
        var logger = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    /** One request as the API server saw it. */
    public record Request(String method, String path) {}

    private final KubernetesMockServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Function<RecordedRequest, Optional<MockResponse>>> handlers = new CopyOnWriteArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();

    private KubernetesMock() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        var crud = new KubernetesMixedDispatcher(responses);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.add(new Request(request.getMethod(), request.getPath()));
                for (var handler : handlers) {
                    Optional<MockResponse> answer = handler.apply(request);
                    if (answer.isPresent()) {
                        return answer.get();
                    }
                }
                return crud.dispatch(request);
            }

            @Override
            public void shutdown() {
                crud.shutdown();
            }
        };
        server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), responses, dispatcher, false);
    }

    public static KubernetesMock start() {
        var mock = new KubernetesMock();
        mock.server.init();
        return mock;
    }

    /** A client of its own (each part under test closes the one it was given). */
    public synchronized KubernetesClient newClient() {
        KubernetesClient client = server.createClient();
        clients.add(client);
        return client;
    }

    /** Answers the requests {@code handler} takes (a present answer) before CRUD sees them. */
    public void handle(Function<RecordedRequest, Optional<MockResponse>> handler) {
        handlers.add(handler);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public synchronized void close() {
        clients.forEach(KubernetesClient::close);
        server.destroy();
    }
}
