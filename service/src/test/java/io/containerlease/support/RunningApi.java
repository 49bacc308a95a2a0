package io.containerlease.support;

import io.containerlease.api.ApiServer;
import io.containerlease.auth.TokenRegistry;
import io.containerlease.config.ServiceConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The real HTTP server on a free port in front of a {@link LeaseWorld} (the fake engine), for API tests. */
public final class RunningApi implements AutoCloseable {
    public final LeaseWorld world = new LeaseWorld();
    private final ApiServer server;

    private RunningApi(Map<String, String> env, Optional<TokenRegistry> tokens) {
        Map<String, String> all = new HashMap<>(Map.of("PORT", "0"));
        all.putAll(env);
        server = new ApiServer(ServiceConfig.fromEnvironment(all), world.services(tokens));
        server.start();
    }

    /** Everyone is an admin (AUTH=off). */
    public static RunningApi open() {
        return new RunningApi(Map.of("AUTH", "off"), Optional.empty());
    }

    /** These users, each {@code name → token}; none is an admin. */
    public static RunningApi withUsers(Map<String, String> tokensByUser) {
        List<TokenRegistry.Entry> entries = tokensByUser.entrySet().stream()
                .map(e -> new TokenRegistry.Entry(e.getKey(), TokenRegistry.sha256(e.getValue()), false))
                .toList();
        return new RunningApi(Map.of(), Optional.of(TokenRegistry.of(entries)));
    }

    /** As configured by {@code env} (tokens are on unless it says AUTH=off), with no users. */
    public static RunningApi configured(Map<String, String> env) {
        return new RunningApi(env, Optional.empty());
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public int port() {
        return server.port();
    }

    public ApiClient client() {
        return new ApiClient(baseUrl());
    }

    public ApiClient client(String token) {
        return new ApiClient(baseUrl(), token);
    }

    @Override
    public void close() {
        server.close();
        world.close();
    }
}
