package io.containerlease.program.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.lease.RuntimeOperationException;
import io.containerlease.program.ProgramException;
import io.containerlease.support.FakeRuntime;
import io.containerlease.support.ImageSpecs;
import io.containerlease.support.MutableClock;
import io.containerlease.support.TarGz;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code updates against the stand-in engine, a hand-written code engine and real version files: the
 * image's code is kept as version 1 before the first update, a new version that does not come up
 * is taken back out, a lease that ends under an update keeps nothing of it, and a server killed in
 * the middle of an update resolves it when it finds the lease again. Health checks answer at once,
 * so no test waits.
 */
class CodeUpdatesTest {
    private static final String INSTANCE = "test-instance";
    private static final long MAX_BYTES = 64 << 10;

    /** The code engine as the update sees it: records what it was asked, answers as told. */
    private static final class RecordingCodeEngine implements CodeEngine {
        final List<byte[]> replaced = new CopyOnWriteArrayList<>();
        final List<String> replacedVolumes = new CopyOnWriteArrayList<>();
        final List<String> helperNames = new CopyOnWriteArrayList<>();
        final List<Map<String, String>> helperLabels = new CopyOnWriteArrayList<>();
        final List<String> removedVolumes = new CopyOnWriteArrayList<>();
        final List<List<String>> execs = new CopyOnWriteArrayList<>();
        final List<Duration> execTimeouts = new CopyOnWriteArrayList<>();
        int reads;
        /** What the container's code path holds, as the engine streams it (an uncompressed tar). */
        byte[] imageCode = new byte[1024];

        boolean readFails;
        volatile int execExit;
        /** Runs after each replace, with the archive: a test decides there how the program comes up. */
        volatile Consumer<byte[]> afterReplace = tar -> {};

        volatile boolean replaceFails;

        @Override
        public void createVolume(String name, Map<String, String> labels) {}

        @Override
        public void removeVolume(String name) {
            removedVolumes.add(name);
        }

        @Override
        public Set<LeaseId> volumeLeases(String instanceId) {
            return Set.of();
        }

        @Override
        public void read(String container, String path, OutputStream tar) throws IOException {
            reads++;
            if (readFails) {
                throw new IOException("the stream broke");
            }
            tar.write(imageCode);
        }

        @Override
        public void replace(
                String volume, ImageSpec image, String helperName, Map<String, String> labels, byte[] tarGz) {
            if (replaceFails) {
                throw new RuntimeOperationException("the engine refused the helper", null);
            }
            replacedVolumes.add(volume);
            helperNames.add(helperName);
            helperLabels.add(labels);
            replaced.add(tarGz);
            afterReplace.accept(tarGz);
        }

        @Override
        public int exec(String container, List<String> command, Duration timeout) {
            execs.add(command);
            execTimeouts.add(timeout);
            return execExit;
        }
    }

    /** Records each update's start and end, as the event channel would hear them. */
    private static final class Heard implements CodeUpdates.Observer {
        final List<String> said = new CopyOnWriteArrayList<>();

        @Override
        public void updating(Lease lease, int version, String origin) {
            said.add("updating " + version + " " + origin);
        }

        @Override
        public void finished(Lease lease, CodeUpdates.Outcome outcome) {
            said.add("finished " + outcome.version() + " " + outcome.status());
        }
    }

    @TempDir
    Path dataDir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FakeRuntime runtime = new FakeRuntime();
    private final RecordingCodeEngine engine = new RecordingCodeEngine();
    private final Heard heard = new Heard();
    private FileCodeVersions versions;
    private CodeUpdates updates;
    private final Lease lease = running(1, "coded");
    private final String container = ManagedLabels.containerName(lease.id());

    /** A running lease of {@code imageType}, numbered {@code n} (its id's last digit, its container "c" + n). */
    private static Lease running(int n, String imageType) {
        return Lease.provisioning(
                        new LeaseId("01aaaaaaaaaaaaaaaaaaaaaaa" + n),
                        imageType,
                        Instant.parse("2026-01-01T00:00:00Z"),
                        Duration.ofMinutes(30),
                        Duration.ofHours(2))
                .runningIn("c" + n);
    }

    @BeforeEach
    void setUp() {
        versions = new FileCodeVersions(dataDir);
        updates = updatesWith(List.of());
        runtime.plant(container, Map.of());
        runtime.health(container, "healthy");
    }

    /** A catalog of "coded" (code at /app, a health check, and {@code reload} when given) and plain busybox. */
    private CodeUpdates updatesWith(List<String> reload) {
        ImageSpec b = ImageSpecs.busybox();
        ImageSpec coded = ImageSpecs.busyboxAs(
                "coded",
                new ImageSpec.Lifecycle(
                        ImageSpec.OnExit.KEEP,
                        0,
                        Optional.of(new ImageSpec.HealthCheck(
                                List.of("true"), Duration.ofSeconds(1), Duration.ofSeconds(1), 1)),
                        false),
                new ImageSpec.Program(
                        false,
                        Optional.of(new ImageSpec.Code("/app", reload, Duration.ofSeconds(1), Duration.ofSeconds(7)))));
        ImageTypes catalog = new ImageTypes() {
            @Override
            public Optional<ImageSpec> find(String imageType) {
                return imageType.equals("coded")
                        ? Optional.of(coded)
                        : Optional.of(b).filter(s -> imageType.equals("busybox"));
            }

            @Override
            public Set<String> imageTypes() {
                return Set.of("coded", "busybox");
            }
        };
        return new CodeUpdates(catalog, engine, runtime, versions, clock, heard, INSTANCE, MAX_BYTES);
    }

    private static byte[] archive(String content) {
        return TarGz.archive().file("app.txt", content).bytes();
    }

    /** Versions as "number status kept origin", in order. */
    private List<String> listed() {
        return versions.list(lease.id()).stream()
                .map(v -> v.version() + " " + v.status() + (v.kept() ? " kept " : " gone ") + v.origin())
                .toList();
    }

    /** New code that holds {@code bad} makes the program unhealthy; any other makes it healthy. */
    private void unhealthyWhenItHolds(byte[] bad) {
        engine.afterReplace = tar -> runtime.health(container, Arrays.equals(tar, bad) ? "unhealthy" : "healthy");
    }

    @Test
    void theFirstUpdateKeepsTheImagesCodeAsVersionOneThenInstallsAndActivatesTheUpload() {
        byte[] upload = archive("v2");
        CodeUpdates.Outcome outcome = updates.update(lease, upload);

        assertThat(outcome).isEqualTo(new CodeUpdates.Outcome(2, "active", Optional.empty()));
        assertThat(listed()).containsExactly("1 superseded kept image", "2 active kept upload");
        assertThat(engine.replaced).hasSize(1);
        assertThat(engine.replaced.getFirst()).isEqualTo(upload);
        assertThat(engine.replacedVolumes).containsExactly(CodeVolumes.volumeName(lease.id()));
        assertThat(engine.helperNames).containsExactly(CodeVolumes.helperName(lease.id()));
        assertThat(engine.helperLabels).containsExactly(ManagedLabels.forLease(lease, INSTANCE));
        assertThat(runtime.restartCalls)
                .as("no reload command: the program restarts")
                .hasValue(1);
        assertThat(heard.said).containsExactly("updating 2 upload", "finished 2 active");
        // What the image held is kept compressed: a rollback to it installs it again.
        byte[] first = versions.archive(lease.id(), 1).orElseThrow();
        assertThat(first).isNotEmpty().isNotEqualTo(upload);
        assertThat(versions.list(lease.id()).getFirst().sha256()).isEqualTo(CodeArchive.sha256(first));
        assertThat(versions.list(lease.id()).get(1).at())
                .isEqualTo(clock.instant().toString());
    }

    @Test
    void laterUpdatesDoNotReadTheImagesCodeAgain() {
        updates.update(lease, archive("v2"));
        updates.update(lease, archive("v3"));
        assertThat(engine.reads).isEqualTo(1);
        assertThat(listed())
                .containsExactly("1 superseded kept image", "2 superseded kept upload", "3 active kept upload");
    }

    @Test
    void aVersionThatIsNotHealthyIsTakenBackOutAndTheOneBeforeInstalledAgain() {
        byte[] bad = archive("broken");
        unhealthyWhenItHolds(bad);
        CodeUpdates.Outcome outcome = updates.update(lease, bad);

        assertThat(outcome.status()).isEqualTo("rolled_back");
        assertThat(outcome.reason()).contains("the health check failed");
        assertThat(listed()).containsExactly("1 active kept image", "2 failed kept upload");
        assertThat(engine.replaced).hasSize(2);
        assertThat(engine.replaced.getLast())
                .isEqualTo(versions.archive(lease.id(), 1).orElseThrow());
        assertThat(heard.said).containsExactly("updating 2 upload", "finished 2 rolled_back");
    }

    @Test
    void whenTheVersionBeforeDoesNotComeUpEitherTheReasonSaysBoth() {
        engine.afterReplace = tar -> runtime.health(container, "unhealthy");
        CodeUpdates.Outcome outcome = updates.update(lease, archive("broken"));
        assertThat(outcome.reason())
                .contains("the health check failed; version 1 was installed again but the health check failed");
    }

    @Test
    void aReloadCommandRunsInsteadOfARestartAndItsFailureRollsBack() {
        CodeUpdates reloading = updatesWith(List.of("kill", "-HUP", "1"));
        assertThat(reloading.update(lease, archive("v2")).status()).isEqualTo("active");
        assertThat(engine.execs).containsExactly(List.of("kill", "-HUP", "1"));
        assertThat(engine.execTimeouts).containsExactly(Duration.ofSeconds(7));
        assertThat(runtime.restartCalls).hasValue(0);

        engine.execExit = 3;
        CodeUpdates.Outcome exited = reloading.update(lease, archive("v3"));
        assertThat(exited.reason()).isPresent();
        assertThat(exited.reason().get()).startsWith("the reload command exited with 3;");

        engine.execExit = -1;
        CodeUpdates.Outcome slow = reloading.update(lease, archive("v4"));
        assertThat(slow.reason().get()).startsWith("the reload command did not finish within 7 s;");
        assertThat(listed()).contains("2 active kept upload", "3 failed kept upload", "4 failed kept upload");
    }

    @Test
    void anEngineFailureIsARollbackWithTheEnginesClientMessage() {
        updates.update(lease, archive("v2"));
        engine.replaceFails = true;
        CodeUpdates.Outcome outcome = updates.update(lease, archive("v3"));
        assertThat(outcome.status()).isEqualTo("rolled_back");
        assertThat(outcome.reason().get()).startsWith("the engine failed: the engine refused the helper");
    }

    @Test
    void anImageTypeWithoutCodeIsRefusedAndNothingIsTouched() {
        Lease plain = running(2, "busybox");
        for (Runnable call : List.<Runnable>of(
                () -> updates.update(plain, archive("x")),
                () -> updates.rollback(plain, 1),
                () -> updates.versions(plain))) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(ProgramException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ProgramException.Kind.NOT_ENABLED);
                        assertThat(e.code()).isEqualTo("code_not_enabled");
                    })
                    .hasMessageContaining("'busybox'");
        }
        assertThat(engine.reads).isZero();
        assertThat(engine.replaced).isEmpty();
    }

    @Test
    void aRefusedArchiveChangesNothingAndHoldsNoClaim() {
        byte[] hostile = TarGz.archive().file("../escape", "x").bytes();
        assertThatThrownBy(() -> updates.update(lease, hostile)).isInstanceOf(ProgramException.class);
        assertThat(listed()).isEmpty();
        assertThat(engine.reads).isZero();
        assertThat(updates.update(lease, archive("v2")).status()).isEqualTo("active");
    }

    @Test
    void anotherUpdateOfTheSameLeaseIsRefusedWhileOneRuns() {
        assertThat(versions.claim(lease.id())).isTrue();
        assertThatThrownBy(() -> updates.update(lease, archive("v2")))
                .isInstanceOfSatisfying(ProgramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProgramException.Kind.IN_PROGRESS);
                    assertThat(e.code()).isEqualTo("update_in_progress");
                });
        assertThat(versions.claim(lease.id()))
                .as("the refused update did not release the other's claim")
                .isFalse();
        versions.unclaim(lease.id());
        assertThat(updates.update(lease, archive("v2")).status()).isEqualTo("active");
        assertThat(versions.claim(lease.id()))
                .as("a finished update releases its claim")
                .isTrue();
    }

    @Test
    void imageCodeBeyondTheLimitsIsRefusedBeforeAnythingIsKept() {
        engine.imageCode = new byte[(int) (MAX_BYTES * CodeArchive.EXPANSION + 1)];
        assertThatThrownBy(() -> updates.update(lease, archive("v2")))
                .isInstanceOfSatisfying(ProgramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProgramException.Kind.TOO_LARGE);
                    assertThat(e.code()).isEqualTo("code_too_large");
                })
                .hasMessageContaining("/app")
                .hasMessageContaining("64 KiB compressed, 512 KiB unpacked");
        assertThat(listed()).isEmpty();
        assertThat(engine.replaced).isEmpty();
        assertThat(engine.removedVolumes)
                .as("the lease still runs: its volume stays")
                .isEmpty();
    }

    @Test
    void imageCodeJustWithinTheLimitIsKept() {
        engine.imageCode = new byte[(int) (MAX_BYTES * CodeArchive.EXPANSION) - 4096];
        assertThat(updates.update(lease, archive("v2")).status()).isEqualTo("active");
        assertThat(listed()).first().isEqualTo("1 superseded kept image");
    }

    @Test
    void imageCodeThatCannotBeReadIsALeaseNoLongerRunning() {
        engine.readFails = true;
        assertThatThrownBy(() -> updates.update(lease, archive("v2")))
                .isInstanceOfSatisfying(ProgramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProgramException.Kind.GONE);
                    assertThat(e.code()).isEqualTo("lease_not_running");
                })
                .hasMessageContaining("could not be read");
    }

    @Test
    void aLeaseWhoseContainerIsGoneBeforeTheUpdateKeepsNothing() {
        runtime.vanish(container);
        assertThatThrownBy(() -> updates.update(lease, archive("v2")))
                .isInstanceOfSatisfying(
                        ProgramException.class, e -> assertThat(e.code()).isEqualTo("lease_not_running"));
        assertThat(engine.reads).isZero();
        assertThat(listed()).isEmpty();
        assertThat(engine.removedVolumes).containsExactly(CodeVolumes.volumeName(lease.id()));
    }

    @Test
    void aLeaseThatEndsDuringTheUpdateKeepsNothingOfIt() {
        engine.afterReplace = tar -> runtime.vanish(container);
        assertThatThrownBy(() -> updates.update(lease, archive("v2")))
                .isInstanceOfSatisfying(ProgramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProgramException.Kind.GONE);
                    assertThat(e.code()).isEqualTo("lease_not_running");
                })
                .hasMessageContaining("nothing of the update was kept");
        assertThat(listed())
                .as("the versions the update wrote went with the lease")
                .isEmpty();
        assertThat(engine.removedVolumes).containsExactly(CodeVolumes.volumeName(lease.id()));
        assertThat(versions.claim(lease.id())).isTrue();
    }

    @Test
    void aRollbackInstallsAKeptVersionAgainAndOneAlreadyActiveIsLeftAlone() {
        updates.update(lease, archive("v2"));
        heard.said.clear();
        int installs = engine.replaced.size();

        assertThat(updates.rollback(lease, 2)).isEqualTo(new CodeUpdates.Outcome(2, "active", Optional.empty()));
        assertThat(engine.replaced).as("already active: nothing installed").hasSize(installs);

        assertThat(updates.rollback(lease, 1).status()).isEqualTo("active");
        assertThat(engine.replaced.getLast())
                .isEqualTo(versions.archive(lease.id(), 1).orElseThrow());
        assertThat(heard.said).containsExactly("updating 1 rollback", "finished 1 active");
        assertThat(listed()).containsExactly("1 active kept image", "2 superseded kept upload");
    }

    @Test
    void aRollbackToAVersionNotKeptSaysWhichAreKept() {
        updates.update(lease, archive("v2"));
        for (int i = 3; i <= 5; i++) {
            updates.update(lease, archive("v" + i));
        }
        assertThat(listed()).startsWith("1 superseded gone image");
        for (int missing : List.of(1, 9)) {
            assertThatThrownBy(() -> updates.rollback(lease, missing))
                    .isInstanceOfSatisfying(ProgramException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ProgramException.Kind.NOT_FOUND);
                        assertThat(e.code()).isEqualTo("code_version_not_found");
                    })
                    .hasMessageContaining("keeps no code version " + missing + "; kept: 3, 4, 5");
        }
        Lease fresh = running(3, "coded");
        runtime.plant(ManagedLabels.containerName(fresh.id()), Map.of());
        assertThatThrownBy(() -> updates.rollback(fresh, 1)).hasMessageContaining("kept: none");
        assertThat(updates.versions(lease)).hasSize(5);
    }

    @Test
    void aServerKilledDuringAnUpdateMarksTheCutVersionFailedAndInstallsTheActiveOneAgain() {
        updates.update(lease, archive("v2"));
        versions.add(lease.id(), archive("cut"), "sha", clock.instant(), "upload"); // left installing
        int installs = engine.replaced.size();

        updates.onRecovered(lease);

        await().atMost(Duration.ofSeconds(10)).until(() -> engine.replaced.size() == installs + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> versions.claim(lease.id()));
        assertThat(engine.replaced.getLast())
                .isEqualTo(versions.archive(lease.id(), 2).orElseThrow());
        assertThat(listed()).containsExactly("1 superseded kept image", "2 active kept upload", "3 failed kept upload");
    }

    @Test
    void aRecoveredLeaseWithNothingCutOrNoCodeIsLeftAlone() throws Exception {
        updates.update(lease, archive("v2"));
        int installs = engine.replaced.size();
        updates.onRecovered(lease);
        Lease plain = running(2, "busybox");
        updates.onRecovered(plain);
        Thread.sleep(200); // a recovery would have started a thread by now
        assertThat(engine.replaced).hasSize(installs);
        assertThat(versions.claim(lease.id())).isTrue();
    }

    @Test
    void aRecoveryThatFindsTheLeaseClaimedLeavesTheCutVersionInstalling() throws Exception {
        updates.update(lease, archive("v2"));
        versions.add(lease.id(), archive("cut"), "sha", clock.instant(), "upload");
        assertThat(versions.claim(lease.id())).isTrue();
        updates.onRecovered(lease);
        Thread.sleep(200);
        assertThat(listed()).last().isEqualTo("3 installing kept upload");
        assertThat(new ArrayList<>(engine.replaced)).hasSize(1);
    }

    @Test
    void itSaysItsLimit() {
        assertThat(updates.maxBytes()).isEqualTo(MAX_BYTES);
    }
}
