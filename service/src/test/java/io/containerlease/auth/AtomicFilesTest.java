package io.containerlease.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secret's file appears whole, with exactly the permissions asked, and leaves no temporary file behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Set<String> namesIn(Path folder) throws Exception {
        try (var files = Files.list(folder)) {
            return Set.copyOf(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aNewFileIsWrittenWithExactlyThePermissionsAskedInFoldersItMakes() throws Exception {
        Path file = dir.resolve("a/b/token");
        // wider than the usual umask lets through: the umask must not narrow it
        Set<PosixFilePermission> groupReadable = PosixFilePermissions.fromString("rw-rw----");
        assertThat(AtomicFiles.write(file, text("secret"), groupReadable, false))
                .isTrue();
        assertThat(Files.readString(file)).isEqualTo("secret");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(groupReadable);
        assertThat(namesIn(file.getParent())).containsExactly("token");
    }

    @Test
    void withoutReplaceAFileAlreadyThereWinsAndIsLeftAsItWas() throws Exception {
        Path file = dir.resolve("token");
        assertThat(AtomicFiles.write(file, text("first"), AtomicFiles.OWNER_ONLY, false))
                .isTrue();
        assertThat(AtomicFiles.write(file, text("second"), AtomicFiles.OWNER_ONLY, false))
                .isFalse();
        assertThat(Files.readString(file)).isEqualTo("first");
        assertThat(namesIn(dir)).as("the loser's temporary file is gone").containsExactly("token");
    }

    @Test
    void withReplaceTheNewContentTakesThePlaceOfTheOld() throws Exception {
        Path file = dir.resolve("users.yml");
        AtomicFiles.write(file, text("old and longer"), AtomicFiles.OWNER_ONLY, true);
        assertThat(AtomicFiles.write(file, text("new"), AtomicFiles.OWNER_ONLY, true))
                .isTrue();
        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(AtomicFiles.OWNER_ONLY);
        assertThat(namesIn(dir)).containsExactly("users.yml");
    }

    /** Two servers starting together on one data folder must agree on one admin token: the first writer's. */
    @Test
    void ofWritersRacingToCreateAFileExactlyOneWinsAndItsContentIsWhatIsThere() throws Exception {
        Path file = dir.resolve("admin-token");
        int writers = 8;
        var start = new java.util.concurrent.CountDownLatch(1);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
            var results = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int i = 0; i < writers; i++) {
                String content = "writer-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return AtomicFiles.write(file, text(content), AtomicFiles.OWNER_ONLY, false);
                }));
            }
            start.countDown();
            var winners = new java.util.ArrayList<Integer>();
            for (int i = 0; i < writers; i++) {
                if (results.get(i).get()) {
                    winners.add(i);
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(Files.readString(file)).isEqualTo("writer-" + winners.getFirst());
        }
        assertThat(namesIn(dir)).containsExactly("admin-token");
    }
}
