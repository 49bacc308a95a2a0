package io.containerlease.runtime.kubernetes;

import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.program.code.CodeEngine;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Code updates on Kubernetes are not built yet: a lease pod has no code volume (an image type with
 * updatable code is refused when its pod would be made), so there is nothing to list, and every
 * change is refused in words.
 */
public final class KubernetesCodeEngine implements CodeEngine {
    private static final String NOT_YET = "code updates are not available for leases on Kubernetes yet";

    @Override
    public void createVolume(String name, Map<String, String> labels) {
        throw new RuntimeOperationException(NOT_YET, null);
    }

    @Override
    public void removeVolume(String name) {
        // there are none to remove
    }

    @Override
    public Set<LeaseId> volumeLeases(String instanceId) {
        return Set.of();
    }

    @Override
    public void read(String container, String path, OutputStream tar) {
        throw new RuntimeOperationException(NOT_YET, null);
    }

    @Override
    public void replace(String volume, ImageSpec image, String helperName, Map<String, String> labels, byte[] tarGz) {
        throw new RuntimeOperationException(NOT_YET, null);
    }

    @Override
    public int exec(String container, List<String> command, Duration timeout) {
        throw new RuntimeOperationException(NOT_YET, null);
    }
}
