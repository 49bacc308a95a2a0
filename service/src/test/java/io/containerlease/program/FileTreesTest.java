package io.containerlease.program;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a tenant once could leave in a directory of ours goes, whatever its depth, without a link being followed. */
class FileTreesTest {
    @TempDir
    Path dir;

    @Test
    void aTreeDeeperThanAnyPathAndFullOfLinksIsRemovedWithoutFollowingThem() throws Exception {
        Path root = Files.createDirectory(dir.resolve("lease"));
        Path outside = Files.writeString(dir.resolve("outside.txt"), "keep");
        Path outsideDir = Files.createDirectory(dir.resolve("outside-dir"));
        Files.writeString(outsideDir.resolve("also-keep"), "keep");
        // 2,000 nested directories: the deepest path is far over PATH_MAX, so only relative steps reach it.
        Process mk = new ProcessBuilder(
                        "sh",
                        "-c",
                        "cd \"$1\" && i=0; while [ $i -lt 2000 ]; do mkdir d && cd d || exit 1; i=$((i+1)); done;"
                                + " ln -s \"$2\" file-link && ln -s \"$3\" dir-link && ln -s / root-link && echo x > f",
                        "sh",
                        root.toString(),
                        outside.toString(),
                        outsideDir.toString())
                .inheritIO()
                .start();
        assertThat(mk.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(mk.exitValue()).isZero();
        Files.createSymbolicLink(root.resolve("top-link"), outsideDir);

        FileTrees.removeTree(root);

        assertThat(Files.exists(root, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readString(outside)).isEqualTo("keep");
        assertThat(Files.readString(outsideDir.resolve("also-keep"))).isEqualTo("keep");
        FileTrees.removeTree(root); // nothing there is fine
    }

    @Test
    void aLinkInPlaceOfTheTreeIsRemovedAsALink() throws Exception {
        Path target = Files.createDirectory(dir.resolve("target"));
        Files.writeString(target.resolve("keep"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("lease"), target);
        FileTrees.removeTree(link);
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readString(target.resolve("keep"))).isEqualTo("keep");
    }
}
