package io.containerlease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long each part of a start took, logged once the API answers: a slow start says where its time
 * went (the JVM itself, the store and engine, the first reconcile pass, the API) without a profiler.
 */
final class StartupSteps {
    private static final Logger log = LoggerFactory.getLogger(StartupSteps.class);

    private final Map<String, Long> millis = new LinkedHashMap<>();
    private long last = System.nanoTime();

    StartupSteps() {
        // What the JVM took before the server's own code ran (class loading, the class-data archive).
        millis.put("jvm", Math.max(0, uptimeMs()));
    }

    /** Since the JVM started. */
    private static long uptimeMs() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }

    void done(String step) {
        long now = System.nanoTime();
        millis.put(step, (now - last) / 1_000_000);
        last = now;
    }

    void log() {
        log.info("started {} {}", kv("uptimeMs", uptimeMs()), kv("stepsMs", millis));
    }
}
