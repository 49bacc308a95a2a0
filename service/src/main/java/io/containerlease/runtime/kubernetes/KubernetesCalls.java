package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.lease.RuntimeUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.function.Supplier;

/** The cluster's failures in the core's words: unavailable now (retry), or refused (the request was wrong). */
final class KubernetesCalls {
    private KubernetesCalls() {}

    /**
     * Runs one call to the API server and sorts its failures: unreachable, a 5xx or 429 (an API server
     * shutting down or shedding load) means "not available now"; any other answer is a refusal.
     */
    static <T> T call(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (KubernetesClientException e) {
            int code = e.getCode();
            if (code == 0 || code >= 500 || code == 429 || isUnreachable(e)) {
                throw new RuntimeUnavailableException("the Kubernetes API server could not " + what, rootMessage(e), e);
            }
            throw new RuntimeOperationException("Kubernetes refused to " + what, rootMessage(e), e);
        } catch (RuntimeException e) {
            if (isUnreachable(e)) {
                throw new RuntimeUnavailableException(
                        "the Kubernetes API server is unreachable during " + what, rootMessage(e), e);
            }
            throw new RuntimeOperationException("Kubernetes failed to " + what, rootMessage(e), e);
        }
    }

    static void run(String what, Runnable action) {
        call(what, () -> {
            action.run();
            return null;
        });
    }

    private static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** For the log only (it may name hosts): the innermost message. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}
