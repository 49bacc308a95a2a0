package io.containerlease.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.store.sqlite.SqliteLeaseStore;
import io.containerlease.support.RunLabels;
import io.containerlease.support.TestDocker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code containerlease reap} on the real engine: this store's orphan goes, another cluster's
 * container stays unless named, and a dry run removes nothing. (Never --all-clusters --yes here:
 * the engine is shared.)
 */
class ReapCommandIT {
    @TempDir
    Path dir;

    private final Random random = new Random();
    private String ownOrphan;
    private String foreign;

    @AfterEach
    void cleanUp() {
        for (String name : new String[] {ownOrphan, foreign}) {
            if (name != null) {
                TestDocker.removeIfPresent(name);
            }
        }
    }

    private String container(String cluster) {
        LeaseId lease = LeaseId.generate(Instant.now(), random);
        Map<String, String> labels = new HashMap<>(RunLabels.labels());
        labels.putAll(Map.of(
                ManagedLabels.LEASE_ID,
                lease.value(),
                ManagedLabels.INSTANCE,
                cluster,
                ManagedLabels.CLUSTER,
                cluster));
        String name = "containerlease-reap-test-" + lease.value();
        TestDocker.client()
                .createContainerCmd("containerlease/busybox:latest")
                .withName(name)
                .withCmd("sleep", "60")
                .withLabels(labels)
                .exec();
        return name;
    }

    private String reap(String... args) {
        var bytes = new ByteArrayOutputStream();
        int exit = new CommandLine(new ReapCommand(
                        Map.of("DATA_DIR", dir.toString()), new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .execute(args);
        assertThat(exit).isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void thisStoresOrphanGoesAndAnotherClustersStaysUnlessNamed() {
        String cluster;
        try (var store = SqliteLeaseStore.open(dir.resolve("containerlease.db"))) {
            cluster = store.instanceId();
        }
        ownOrphan = container(cluster);
        String foreignCluster = "gone-" + random.nextInt(1_000_000);
        foreign = container(foreignCluster);

        String dry = reap("--dry-run");
        assertThat(dry).contains("this store's cluster: " + cluster);
        assertThat(dry.lines().filter(l -> l.contains(ownOrphan)))
                .singleElement()
                .asString()
                .startsWith("goes")
                .contains("no live lease");
        assertThat(dry.lines().filter(l -> l.contains(foreign)))
                .singleElement()
                .asString()
                .startsWith("stays")
                .contains("--cluster " + foreignCluster);
        assertThat(TestDocker.exists(ownOrphan)).as("a dry run removes nothing").isTrue();

        assertThat(reap("--yes")).contains("removed");
        assertThat(TestDocker.exists(ownOrphan)).isFalse();
        assertThat(TestDocker.exists(foreign)).isTrue();

        assertThat(reap("--dry-run", "--all-clusters").lines().filter(l -> l.contains(foreign)))
                .singleElement()
                .asString()
                .startsWith("goes");
        reap("--yes", "--cluster", foreignCluster);
        assertThat(TestDocker.exists(foreign)).isFalse();
    }

    @Test
    void withoutAStoreEveryContainerIsAnotherClustersAndTheModeIsRequired() {
        foreign = container("gone-" + random.nextInt(1_000_000));
        assertThat(reap("--dry-run")).contains("none (no store in DATA_DIR)");
        assertThat(dir.resolve("containerlease.db"))
                .as("looking makes no store")
                .doesNotExist();
        assertThat(new CommandLine(new ReapCommand(Map.of("DATA_DIR", dir.toString()), System.out)).execute())
                .isEqualTo(2);
        assertThat(new CommandLine(new ReapCommand(Map.of("DATA_DIR", dir.toString()), System.out))
                        .execute("--watch", "--interval", "0"))
                .as("a watch that would hammer the engine")
                .isEqualTo(2);
        assertThat(new CommandLine(new ReapCommand(Map.of("DATA_DIR", dir.toString()), System.out))
                        .execute("--watch", "--yes"))
                .as("one mode at a time")
                .isEqualTo(2);
    }
}
