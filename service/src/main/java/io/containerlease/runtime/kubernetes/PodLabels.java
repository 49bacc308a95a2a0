package io.containerlease.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The service's labels on a pod. Kubernetes allows label values of at most 63 letters, digits,
 * '-', '_' and '.'; those that are not (times, with their colons) go in annotations, which hold any
 * text but cannot be selected on. Read back, both are one map, as a container's labels are on Docker.
 */
final class PodLabels {
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");
    private static final Pattern LABEL_KEY =
            Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    private PodLabels() {}

    /** Puts each of {@code all} on {@code meta}: as a label where Kubernetes allows it, else as an annotation. */
    static void apply(Map<String, String> all, ObjectMeta meta) {
        Map<String, String> labels = new HashMap<>();
        Map<String, String> annotations = new HashMap<>();
        all.forEach((key, value) -> {
            if (isLabel(key, value)) {
                labels.put(key, value);
            } else {
                annotations.put(key, value);
            }
        });
        meta.setLabels(labels);
        meta.setAnnotations(annotations);
    }

    static boolean isLabel(String key, String value) {
        return LABEL_KEY.matcher(key).matches() && LABEL_VALUE.matcher(value).matches();
    }

    /** A pod's labels and annotations as one map (a label wins, as the service only puts a key in one). */
    static Map<String, String> of(ObjectMeta meta) {
        Map<String, String> all = new HashMap<>();
        if (meta.getAnnotations() != null) {
            all.putAll(meta.getAnnotations());
        }
        if (meta.getLabels() != null) {
            all.putAll(meta.getLabels());
        }
        return all;
    }
}
