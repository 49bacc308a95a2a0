package io.containerlease.support;

import com.github.dockerjava.api.command.InspectVolumeResponse;
import io.containerlease.runtime.docker.DockerHelperVolume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * At the end of a test run, removes the helper volumes this run's servers made that no container
 * uses any more. A server keeps its helper volume while its leases' containers outlive it (they need
 * it, and a restart reuses it) and removes it when it stops with none left; but the tests stop or
 * kill servers first and remove their containers after, one by one, so the last one out cannot be
 * the server. What a run leaves otherwise (a container, a volume in use, a code volume) still fails
 * bin/test. Registered in META-INF/services for the JUnit Platform.
 */
public final class HelperVolumeSweep implements TestExecutionListener {
    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        Map<String, String> run = RunLabels.labels();
        if (run.isEmpty()) {
            return; // not a labelled run: nothing here is ours to judge
        }
        try {
            List<String> filters = new ArrayList<>(List.of(DockerHelperVolume.LABEL));
            run.forEach((k, v) -> filters.add(k + "=" + v));
            List<InspectVolumeResponse> volumes = TestDocker.client()
                    .listVolumesCmd()
                    .withFilter("label", filters)
                    .exec()
                    .getVolumes();
            Set<String> used = TestDocker.client().listContainersCmd().withShowAll(true).exec().stream()
                    .flatMap(c -> c.getMounts() == null ? java.util.stream.Stream.empty() : c.getMounts().stream())
                    .map(m -> m.getName())
                    .filter(java.util.Objects::nonNull)
                    .collect(Collectors.toSet());
            for (InspectVolumeResponse volume : volumes == null ? List.<InspectVolumeResponse>of() : volumes) {
                if (!used.contains(volume.getName())) {
                    try {
                        TestDocker.client().removeVolumeCmd(volume.getName()).exec();
                    } catch (RuntimeException inUseMeanwhile) {
                        // bin/test reports it
                    }
                }
            }
        } catch (RuntimeException noEngine) {
            // no engine to clean: nothing was made on one
        }
    }
}
