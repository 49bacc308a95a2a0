package io.containerlease.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.lease.ImageSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCatalogTest {
    @TempDir
    Path dir;

    @Test
    void builtInCatalogOffersALocalBusyboxAndPulledAlpineAndUbuntu() {
        ImageCatalog catalog = ImageCatalog.load(Optional.empty());
        assertThat(catalog.imageTypes()).containsExactly("busybox", "ticker", "echo", "app", "web", "alpine", "ubuntu");
        ImageSpec busybox = catalog.find("busybox").orElseThrow();
        assertThat(busybox.image()).isEqualTo("containerlease/busybox:latest");
        assertThat(busybox.command()).containsExactly("sleep", "inf");
        assertThat(busybox.pullPolicy()).isEqualTo(ImageSpec.PullPolicy.NEVER);
        assertThat(catalog.find("alpine").orElseThrow().pullPolicy()).isEqualTo(ImageSpec.PullPolicy.IF_NOT_PRESENT);
        assertThat(catalog.find("nope")).isEmpty();
        assertThat(catalog.listing("web").ports()).containsExactly(new ImageCatalog.Port(8000, "web", "http"));
        assertThat(catalog.listing("busybox").ports()).isEmpty();
    }

    @Test
    void yamlFileWithDefaultsForAbsentFields() throws IOException {
        Path file = write("catalog.yaml", """
                images:
                  tiny:
                    image: example/tiny:1
                """);
        ImageSpec tiny = ImageCatalog.load(Optional.of(file)).find("tiny").orElseThrow();
        assertThat(tiny.command()).isEmpty();
        assertThat(tiny.shell()).containsExactly("/bin/sh");
        assertThat(tiny.memoryMb()).isEqualTo(256);
        assertThat(tiny.cpus()).isEqualTo(1.0);
        assertThat(tiny.pidsLimit()).isEqualTo(128);
        assertThat(tiny.pullPolicy()).isEqualTo(ImageSpec.PullPolicy.IF_NOT_PRESENT);
        assertThat(tiny.network()).isEqualTo("none");
        assertThat(tiny.disk()).isEqualTo(ImageSpec.DiskLimits.DEFAULT);
    }

    @Test
    void anEntryMayBoundTheDiskItsLeasesFill() throws IOException {
        Path file = write("disk.yaml", """
                images:
                  chatty:
                    image: example/chatty:1
                    logMaxSizeMb: 5
                    logMaxFiles: 3
                    diskMb: 512
                  bad:
                    image: example/bad:1
                    logMaxFiles: 0
                """);
        assertThatThrownBy(() -> ImageCatalog.load(Optional.of(file)))
                .hasMessageContaining("images.bad")
                .hasMessageContaining("logMaxFiles");
        Files.writeString(file, Files.readString(file).replace("logMaxFiles: 0", "logMaxFiles: 1"));
        assertThat(ImageCatalog.load(Optional.of(file))
                        .find("chatty")
                        .orElseThrow()
                        .disk())
                .isEqualTo(new ImageSpec.DiskLimits(5, 3, Optional.of(512)));
    }

    @Test
    void jsonFilesAreAcceptedToo() throws IOException {
        Path file = write("catalog.json", """
                {"images": {"py": {"image": "python:3", "command": ["sleep", "inf"], "memoryMb": 64, "cpus": 0.25,
                 "pidsLimit": 10, "pullPolicy": "always", "network": "labnet"}}}
                """);
        ImageSpec py = ImageCatalog.load(Optional.of(file)).find("py").orElseThrow();
        assertThat(py.command()).isEqualTo(List.of("sleep", "inf"));
        assertThat(py.memoryBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(py.nanoCpus()).isEqualTo(250_000_000L);
        assertThat(py.pullPolicy()).isEqualTo(ImageSpec.PullPolicy.ALWAYS);
        assertThat(py.network()).isEqualTo("labnet");
    }

    @Test
    void anEntryMayRunAsAnotherUserOnAReadOnlyRoot() throws IOException {
        Path file = write("locked.yaml", """
                images:
                  locked:
                    image: example/locked:1
                    user: "65534:65534"
                    readOnlyRootfs: true
                  bad:
                    image: example/bad:1
                    user: "root; rm -rf /"
                """);
        assertThatThrownBy(() -> ImageCatalog.load(Optional.of(file))).hasMessageContaining("images.bad: user");
        Path good = write("good.yaml", """
                images:
                  locked:
                    image: example/locked:1
                    user: nobody
                    readOnlyRootfs: true
                """);
        ImageSpec locked = ImageCatalog.load(Optional.of(good)).find("locked").orElseThrow();
        assertThat(locked.user()).contains("nobody");
        assertThat(locked.readOnlyRootfs()).isTrue();
        assertThat(ImageCatalog.builtIn().find("busybox").orElseThrow().readOnlyRootfs())
                .isFalse();
    }

    @Test
    void mistakesNameTheEntryAndTheField() throws IOException {
        Path file = write("bad.yaml", """
                images:
                  a:
                    image: x
                    memoryMB: 64
                  b:
                    image: y
                    network: host
                  c:
                    command: ["sh"]
                  d:
                    image: z
                    network: "container:3f2c9a"
                """);
        assertThatThrownBy(() -> ImageCatalog.load(Optional.of(file)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("images.a: unknown field 'memoryMB'")
                .hasMessageContaining("images.b: network 'host' is not allowed")
                .hasMessageContaining("images.d: network 'container:3f2c9a' is not allowed")
                .hasMessageContaining("images.c: 'image' is required");
    }

    @Test
    void unreadableOrMalformedFilesAreClearErrors() throws IOException {
        assertThatThrownBy(() -> ImageCatalog.load(Optional.of(dir.resolve("missing.yaml"))))
                .hasMessageContaining("IMAGE_CATALOG: cannot read");
        Path broken = write("broken.yaml", "images: [unclosed");
        assertThatThrownBy(() -> ImageCatalog.load(Optional.of(broken))).hasMessageContaining("not valid YAML");
        Path empty = write("empty.yaml", "images: {}");
        assertThatThrownBy(() -> ImageCatalog.load(Optional.of(empty))).hasMessageContaining("lists no images");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    /** A pool keeps its size unless it may grow; it may not be told to grow below its floor, or without one. */
    @Test
    void aWarmPoolGrowsOnlyUpToItsWarmPoolMaxAndOnlyWhenOneIsGiven(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("catalog.yaml"), """
                images:
                  fixed: {image: example/a:1, warmPool: 2}
                  growing: {image: example/a:1, warmPool: 2, warmPoolMax: 20}
                """);
        ImageCatalog catalog = ImageCatalog.load(Optional.of(file));
        assertThat(catalog.warmPools()).containsEntry("fixed", 2).containsEntry("growing", 2);
        assertThat(catalog.warmPoolMaxima()).containsEntry("fixed", 2).containsEntry("growing", 20);
        Files.writeString(file, """
                images:
                  below: {image: example/a:1, warmPool: 4, warmPoolMax: 3}
                  unpooled: {image: example/a:1, warmPoolMax: 3}
                """);
        assertThatThrownBy(() -> ImageCatalog.load(Optional.of(file)))
                .hasMessageContaining("images.below: 'warmPoolMax' must be between 'warmPool' (4) and 1024")
                .hasMessageContaining("images.unpooled: 'warmPoolMax' needs a 'warmPool' of at least 1");
    }
}
