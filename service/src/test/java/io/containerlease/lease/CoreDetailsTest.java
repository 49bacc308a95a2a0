package io.containerlease.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The core's small promises, each of which a listener, a log line or a label depends on. */
class CoreDetailsTest {
    private final Lease lease = Lease.provisioning(
                    LeaseId.generate(Instant.parse("2026-12-03T12:00:00Z"), new Random(1)),
                    "busybox",
                    Instant.parse("2026-12-03T12:00:00Z"),
                    Duration.ofMinutes(5),
                    Duration.ofHours(1))
            .runningIn("c1");

    @Test
    void aListenerThatKnowsOnlyRunningHearsPooledAndRecoveredLeasesAsRunning() {
        List<Lease> running = new ArrayList<>();
        LeaseListener listener = new LeaseListener() {
            @Override
            public void onRunning(Lease l) {
                running.add(l);
            }
        };
        listener.onRunningFromPool(lease);
        listener.onRecovered(lease);
        assertThat(running).containsExactly(lease, lease);
    }

    @Test
    void anEngineFailureKeepsTheClientsWordsApartFromTheEnginesOwn() {
        var withDetail = new RuntimeOperationException("Docker refused to start", "port is already allocated", null);
        assertThat(withDetail.clientMessage()).isEqualTo("Docker refused to start");
        assertThat(withDetail.detail()).isEqualTo("port is already allocated");
        assertThat(withDetail.getMessage()).isEqualTo("Docker refused to start (port is already allocated)");
        var without = new RuntimeOperationException("Docker refused to start", null);
        assertThat(without.detail()).isNull();
        assertThat(without.getMessage()).isEqualTo("Docker refused to start");
    }

    @Test
    void aContainerIsThePoolsOnlyWhileItCarriesThePoolsLabel() {
        assertThat(new ManagedContainer("c1", Optional.of(lease.id()), true).pooled())
                .isFalse();
        assertThat(new ManagedContainer("c1", Optional.of(lease.id()), true, Optional.empty(), Optional.of("busybox"))
                        .pooled())
                .isTrue();
    }

    @Test
    void aServerAloneOnItsStoreLabelsItsContainersWithItsOwnIdTwice() {
        var labels = ManagedLabels.forLease(lease, "instance-1");
        assertThat(labels).isEqualTo(ManagedLabels.forLease(lease, "instance-1", "instance-1"));
        assertThat(labels).containsEntry(ManagedLabels.LEASE_ID, lease.id().value());
    }

    @Test
    void aPolicyMayHaveItsShortestLeaseEqualToItsLongest() {
        assertThatCode(() -> new LeasePolicy(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ZERO))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> new LeasePolicy(Duration.ofMinutes(6), Duration.ofMinutes(5), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
