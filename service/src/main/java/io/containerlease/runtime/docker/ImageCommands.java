package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.RuntimeOperationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each image runs, as the engine would resolve it for a container: its ENTRYPOINT, then the
 * catalog's command or else the image's CMD. Our helper runs first in every container and starts
 * exactly that. Read when the image is looked at before a create (no extra call to the engine),
 * kept by image name, read again after a pull.
 */
final class ImageCommands {
    private record Command(List<String> entrypoint, List<String> cmd) {}

    private final DockerClient docker;
    private final Map<String, Command> byImage = new ConcurrentHashMap<>();

    ImageCommands(DockerClient docker) {
        this.docker = docker;
    }

    /** Looks at the image on the engine (again): false when it is not there. */
    boolean refresh(String image) {
        try {
            InspectImageResponse inspected = docker.inspectImageCmd(image).exec();
            var config = inspected.getConfig();
            byImage.put(
                    image,
                    new Command(
                            list(config == null ? null : config.getEntrypoint()),
                            list(config == null ? null : config.getCmd())));
            return true;
        } catch (NotFoundException e) {
            byImage.remove(image);
            return false;
        }
    }

    /**
     * The command a container of this catalog entry runs.
     *
     * @throws RuntimeOperationException when neither the image nor the catalog names one
     */
    List<String> resolve(ImageSpec spec) {
        Command image = Optional.ofNullable(byImage.get(spec.image())).orElseGet(() -> {
            refresh(spec.image());
            return byImage.getOrDefault(spec.image(), new Command(List.of(), List.of()));
        });
        List<String> command = new ArrayList<>(image.entrypoint());
        command.addAll(spec.command().isEmpty() ? image.cmd() : spec.command());
        if (command.isEmpty()) {
            throw new RuntimeOperationException(
                    "image " + spec.image() + " for '" + spec.imageType()
                            + "' names no command to run; give its catalog entry a command",
                    null,
                    null);
        }
        return command;
    }

    private static List<String> list(String[] parts) {
        return parts == null ? List.of() : List.copyOf(Arrays.asList(parts));
    }
}
