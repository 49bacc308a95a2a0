package io.containerlease.bench;

import io.containerlease.config.ContainerLabels;
import io.containerlease.config.ServiceConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * What every server and container the bench makes has in common with the ones the operator's own
 * service makes: the CONTAINER_LABELS of the bench's environment, so an operator (or bin/test) can
 * tell the bench's containers apart on a shared engine.
 */
final class BenchServers {
    private BenchServers() {}

    static Map<String, String> containerLabels() {
        return ContainerLabels.parse(System.getenv("CONTAINER_LABELS"));
    }

    /** An in-process server's configuration: {@code env}, plus the bench's own CONTAINER_LABELS. */
    static ServiceConfig config(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        String labels = System.getenv("CONTAINER_LABELS");
        if (labels != null) {
            all.putIfAbsent("CONTAINER_LABELS", labels);
        }
        return ServiceConfig.fromEnvironment(all);
    }
}
