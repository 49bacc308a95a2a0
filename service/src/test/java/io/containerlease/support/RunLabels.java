package io.containerlease.support;

import io.containerlease.config.ContainerLabels;
import java.util.HashMap;
import java.util.Map;

/**
 * The CONTAINER_LABELS of this process's environment, which every container a test run (or a bench
 * run) makes must carry: the build sets them for the test JVMs, child servers inherit them, and
 * in-process servers get them here, so a run can find and remove its own containers and never
 * another service's on the same engine.
 */
public final class RunLabels {
    private RunLabels() {}

    public static Map<String, String> labels() {
        return ContainerLabels.parse(System.getenv("CONTAINER_LABELS"));
    }

    /**
     * An in-process server's environment: {@code env} plus this run's CONTAINER_LABELS, and no warm
     * pool unless {@code env} asks for one (a test counts the containers it makes; the pool's tests set POOL_MAX_TOTAL).
     */
    public static Map<String, String> with(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("POOL_MAX_TOTAL", "0");
        all.putIfAbsent("PREVIEW_PORT", "0"); // many servers at once: each previews on a free port
        String labels = System.getenv("CONTAINER_LABELS");
        if (labels != null) {
            all.putIfAbsent("CONTAINER_LABELS", labels);
        }
        return all;
    }
}
