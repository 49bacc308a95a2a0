package io.containerlease.program;

import io.containerlease.lease.ContainerSpec;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseListener;
import io.containerlease.lease.LeaseResources;
import io.containerlease.program.channel.ChannelDirectories;
import io.containerlease.program.code.CodeVolumes;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a lease's program is reached through, made before its container and removed once the
 * container is gone: the channel directory and the code volume, each only when the image type
 * asks for it.
 */
public final class ProgramResources implements LeaseResources, LeaseListener {
    private final ChannelDirectories channels;
    private final CodeVolumes code;

    public ProgramResources(ChannelDirectories channels, CodeVolumes code) {
        this.channels = channels;
        this.code = code;
    }

    @Override
    public ContainerSpec.Mounts prepare(Lease lease, ImageSpec spec) {
        Optional<java.nio.file.Path> channelDir = spec.program().channel()
                ? Optional.of(channels.create(lease.id(), spec.user())) : Optional.empty();
        Optional<String> codeVolume = spec.program().code().isPresent() ? Optional.of(code.create(lease)) : Optional.empty();
        return new ContainerSpec.Mounts(channelDir, codeVolume);
    }

    @Override
    public Set<LeaseId> held() {
        Set<LeaseId> held = new HashSet<>(channels.present());
        held.addAll(code.present());
        return held;
    }

    @Override
    public void release(LeaseId id) {
        try {
            channels.remove(id);
        } finally {
            code.remove(id);
        }
    }

    @Override
    public void onEnded(Lease lease) {
        release(lease.id());
    }
}
