package io.containerlease.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {

    @Test
    void defaultsMatchTheReadme() {
        ServiceConfig config = ServiceConfig.fromEnvironment(Map.of());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
        assertThat(config.imageCatalog()).isEmpty();
        assertThat(config.leaseMin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.leaseMax()).isEqualTo(Duration.ofMinutes(1440));
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.logFormat()).isEqualTo(ServiceConfig.LogFormat.TEXT);
        assertThat(config.auth()).isEqualTo(ServiceConfig.AuthMode.TOKENS);
        assertThat(config.authTokensFile()).isEmpty();
        assertThat(config.maxLeasesPerUser()).isEqualTo(5);
        assertThat(config.maxLeasesPerAdmin())
                .as("an admin's limit is the service's")
                .isEqualTo(config.maxLeases());
        assertThat(config.maxLeases()).isEqualTo(50);
        assertThat(config.rateLimitPerMinute()).isEqualTo(600);
        assertThat(config.trustedProxies()).isEmpty();
        assertThat(config.allowedOrigins()).isEmpty();
        assertThat(config.containerLabels()).isEmpty();
        assertThat(config.retention()).isEqualTo(Duration.ofDays(30));
        assertThat(config.logBufferBytes()).isEqualTo(1 << 20);
        assertThat(config.logBufferTotalBytes()).isEqualTo(256L << 20);
        assertThat(config.terminalDetached()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.connectionLimits()).isEqualTo(new ServiceConfig.ConnectionLimits(50, 20, 0));
    }

    @Test
    void theRuntimeIsDockerUnlessKubernetesIsChosenWithAUsableNamespace() {
        assertThat(ServiceConfig.fromEnvironment(Map.of()).runtime().kind()).isEqualTo(RuntimeChoice.Kind.DOCKER);
        var kubernetes = ServiceConfig.fromEnvironment(Map.of(
                        "RUNTIME", "kubernetes", "KUBERNETES_NAMESPACE", "labs-1", "KUBECONFIG", "/etc/kube/config"))
                .runtime();
        assertThat(kubernetes.kind()).isEqualTo(RuntimeChoice.Kind.KUBERNETES);
        assertThat(kubernetes.namespace()).isEqualTo("labs-1");
        assertThat(kubernetes.kubeconfig()).contains(java.nio.file.Path.of("/etc/kube/config"));
        assertThat(kubernetes.helperImage()).isEqualTo("containerlease:latest");
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(Map.of("RUNTIME", "podman")))
                .hasMessageContaining("RUNTIME: 'podman' is not one of docker, kubernetes");
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(Map.of("KUBERNETES_NAMESPACE", "Labs_1")))
                .hasMessageContaining("KUBERNETES_NAMESPACE: 'Labs_1' is not a namespace name");
    }

    @Test
    void containerLabelsAreOperatorsOwnAndNeverTheServices() {
        assertThat(ServiceConfig.fromEnvironment(Map.of("CONTAINER_LABELS", "team=labs, cost-centre=42,flag"))
                        .containerLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of("team", "labs", "cost-centre", "42", "flag", ""));
        assertThatThrownBy(
                        () -> ServiceConfig.fromEnvironment(Map.of("CONTAINER_LABELS", "containerlease.instance=mine")))
                .hasMessageContaining("CONTAINER_LABELS")
                .hasMessageContaining("the service's own");
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(Map.of("CONTAINER_LABELS", "Bad Key=1")))
                .hasMessageContaining("not a label key");
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(
                        Map.of("LOG_BUFFER_BYTES", "2097152", "LOG_BUFFER_TOTAL_BYTES", "1048576")))
                .hasMessageContaining("LOG_BUFFER_TOTAL_BYTES");
    }

    @Test
    void readsTheTenancySettings() {
        ServiceConfig config = ServiceConfig.fromEnvironment(Map.of(
                "AUTH_TOKENS_FILE",
                "/etc/tokens.yaml",
                "MAX_LEASES_PER_USER",
                "2",
                "MAX_LEASES",
                "9",
                "RATE_LIMIT_PER_MINUTE",
                "30",
                "TRUSTED_PROXIES",
                "10.0.0.0/8, 192.168.1.7",
                "ALLOWED_ORIGINS",
                "https://lab.example.com",
                "ALLOWED_HOSTS",
                "lab.example.com,localhost"));
        assertThat(config.authTokensFile()).contains(Path.of("/etc/tokens.yaml"));
        assertThat(config.maxLeasesPerUser()).isEqualTo(2);
        assertThat(config.maxLeases()).isEqualTo(9);
        assertThat(config.maxLeasesPerAdmin()).isEqualTo(9);
        assertThat(ServiceConfig.fromEnvironment(Map.of("MAX_LEASES_PER_ADMIN", "12"))
                        .maxLeasesPerAdmin())
                .isEqualTo(12);
        assertThat(config.rateLimitPerMinute()).isEqualTo(30);
        assertThat(config.trustedProxies()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.7/32"));
        assertThat(config.allowedOrigins()).containsExactly("https://lab.example.com");
        assertThat(config.allowedHosts()).containsExactly("lab.example.com", "localhost");
        assertThatThrownBy(
                        () -> ServiceConfig.fromEnvironment(Map.of("TRUSTED_PROXIES", "10.0.0.0/99,proxy.example.com")))
                .hasMessageContaining("TRUSTED_PROXIES: '10.0.0.0/99'")
                .hasMessageContaining("'proxy.example.com' is not an IP address");
    }

    @Test
    void readsEveryVariable() {
        ServiceConfig config = ServiceConfig.fromEnvironment(Map.of(
                "HOST",
                "0.0.0.0",
                "PORT",
                "9000",
                "DATA_DIR",
                "/tmp/x",
                "DOCKER_HOST",
                "tcp://10.0.0.1:2375",
                "IMAGE_CATALOG",
                "/etc/catalog.yaml",
                "LEASE_MIN_SECONDS",
                "5",
                "LEASE_MAX_MINUTES",
                "60",
                "RECONCILE_INTERVAL_SECONDS",
                "7",
                "LOG_LEVEL",
                "DEBUG",
                "LOG_FORMAT",
                "json"));
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.imageCatalog()).contains(Path.of("/etc/catalog.yaml"));
        assertThat(config.leaseMin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.leaseMax()).isEqualTo(Duration.ofHours(1));
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.logLevel()).isEqualTo("debug");
        assertThat(config.logFormat()).isEqualTo(ServiceConfig.LogFormat.JSON);
    }

    @Test
    void acceptsTheSeedsCleanupIntervalButPrefersTheNewName() {
        assertThat(ServiceConfig.fromEnvironment(Map.of("CLEANUP_INTERVAL_MINUTES", "2"))
                        .reconcileInterval())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(ServiceConfig.fromEnvironment(
                                Map.of("CLEANUP_INTERVAL_MINUTES", "2", "RECONCILE_INTERVAL_SECONDS", "3"))
                        .reconcileInterval())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void reportsEveryProblemAtOnceNamingTheVariable() {
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(Map.of(
                        "PORT",
                        "http",
                        "LEASE_MAX_MINUTES",
                        "0",
                        "LOG_FORMAT",
                        "xml",
                        "DOCKER_HOST",
                        "/var/run/docker.sock")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PORT: 'http' is not a whole number")
                .hasMessageContaining("LEASE_MAX_MINUTES: 0 is out of range")
                .hasMessageContaining("LOG_FORMAT: 'xml' is not one of json, text")
                .hasMessageContaining("DOCKER_HOST");
    }

    @Test
    void authOffIsOnlyAllowedOnALoopbackAddress() {
        assertThat(ServiceConfig.fromEnvironment(Map.of("AUTH", "off")).auth()).isEqualTo(ServiceConfig.AuthMode.OFF);
        assertThat(ServiceConfig.fromEnvironment(Map.of("AUTH", "off", "HOST", "localhost"))
                        .auth())
                .isEqualTo(ServiceConfig.AuthMode.OFF);
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(Map.of("AUTH", "off", "HOST", "0.0.0.0")))
                .hasMessageContaining("AUTH=off is only allowed while HOST is a loopback address");
        assertThat(ServiceConfig.fromEnvironment(Map.of("AUTH", "tokens", "HOST", "0.0.0.0"))
                        .auth())
                .isEqualTo(ServiceConfig.AuthMode.TOKENS);
        assertThatThrownBy(() -> ServiceConfig.fromEnvironment(Map.of("AUTH", "maybe")))
                .hasMessageContaining("AUTH");
    }

    @Test
    void minimumLongerThanMaximumIsRefused() {
        assertThatThrownBy(() ->
                        ServiceConfig.fromEnvironment(Map.of("LEASE_MIN_SECONDS", "120", "LEASE_MAX_MINUTES", "1")))
                .hasMessageContaining("LEASE_MIN_SECONDS (120) exceeds LEASE_MAX_MINUTES");
    }
}
