package io.containerlease.program.code;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeaseResources;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a lease's program needs made before its container and removed once the container is gone:
 * its code volume, when the image type asks for one (a lease without one costs nothing here, not
 * even a call to the engine). A channel needs nothing made: the runtime gives the container a
 * private directory for its socket.
 */
public final class CodeVolumeResources implements LeaseResources, LeaseListener {
    private static final Logger log = LoggerFactory.getLogger(CodeVolumeResources.class);

    private final ImageTypes catalog;
    private final CodeVolumes code;

    public CodeVolumeResources(ImageTypes catalog, CodeVolumes code) {
        this.catalog = catalog;
        this.code = code;
    }

    @Override
    public ContainerSpec.Mounts prepare(Lease lease, ImageSpec spec) {
        Optional<String> codeVolume =
                spec.program().code().isPresent() ? Optional.of(code.create(lease)) : Optional.empty();
        return new ContainerSpec.Mounts(spec.program().channel(), codeVolume);
    }

    @Override
    public Set<LeaseId> held() {
        return code.present();
    }

    /** Everything a lease may have held, whatever its image type says (a sweep does not know it). */
    @Override
    public void release(LeaseId id) {
        code.remove(id);
    }

    @Override
    public void onEnded(Lease lease) {
        ImageSpec.Program program =
                catalog.find(lease.imageType()).map(ImageSpec::program).orElse(ImageSpec.Program.NONE);
        try {
            if (program.code().isPresent()) {
                code.remove(lease.id());
            }
        } catch (RuntimeException e) {
            log.warn(
                    "could not remove an ended lease's code volume; the reconciler retries {} {}",
                    kv("leaseId", lease.id().value()),
                    kv("error", e.getMessage()));
        }
    }
}
