package io.containerlease.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.RuntimeOperationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each image runs, as the engine would resolve it for a container: its ENTRYPOINT, then the
 * catalog's command or else the image's CMD. Our helper runs first in every container and starts
 * exactly that. Kept by image name once looked at, so a provision does not ask the engine about the
 * image each time: an image seen within {@link #FRESH_FOR} is taken as there; an older look is used
 * while the image is looked at again in the background (a tag moved to another image is followed
 * within seconds); an image removed meanwhile makes the create fail, and the creator looks again.
 */
final class ImageCommands {
    /** How long a look at an image is taken as the engine's word without asking again. */
    static final Duration FRESH_FOR = Duration.ofSeconds(10);

    private record Command(List<String> entrypoint, List<String> cmd, long seenAtNanos) {}

    private final DockerClient docker;
    private final Map<String, Command> byImage = new ConcurrentHashMap<>();
    /** Images being looked at again in the background: one look per image at a time. */
    private final Set<String> relooking = ConcurrentHashMap.newKeySet();

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
                            list(config == null ? null : config.getCmd()),
                            System.nanoTime()));
            return true;
        } catch (NotFoundException e) {
            byImage.remove(image);
            return false;
        }
    }

    /**
     * Whether the image was seen on the engine and nothing since said otherwise: true without a call
     * to the engine; a look older than {@link #FRESH_FOR} is taken again off the caller's thread.
     */
    boolean knownPresent(String image) {
        Command known = byImage.get(image);
        if (known == null) {
            return false;
        }
        if (System.nanoTime() - known.seenAtNanos() > FRESH_FOR.toNanos() && relooking.add(image)) {
            Thread.ofVirtual().name("containerlease-image-look").start(() -> {
                try {
                    refresh(image);
                } catch (RuntimeException e) {
                    // the engine did not answer: the last look stands until a create says otherwise
                } finally {
                    relooking.remove(image);
                }
            });
        }
        return true;
    }

    /** The engine said the image is not there (a create could not find it): the next provision looks again. */
    void forget(String image) {
        byImage.remove(image);
    }

    /**
     * The command a container of this catalog entry runs.
     *
     * @throws RuntimeOperationException when neither the image nor the catalog names one
     */
    List<String> resolve(ImageSpec spec) {
        Command image = Optional.ofNullable(byImage.get(spec.image())).orElseGet(() -> {
            refresh(spec.image());
            return byImage.getOrDefault(spec.image(), new Command(List.of(), List.of(), 0));
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
