package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaging for several servers, checked the way a user's tools would read it: the compose file
 * as the Compose tool resolves it (bin/test installs Debian's docker-compose), and the Dockerfile's
 * promises (built in stages, run as a user of its own, health-checked on /healthz). No image is
 * built: the base images need a registry these machines cannot reach.
 */
class PackagingIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static String compose(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        boolean plugin =
                new ProcessBuilder("docker", "compose", "version").start().waitFor() == 0;
        command.addAll(plugin ? List.of("docker", "compose") : List.of("docker-compose"));
        command.addAll(List.of("-f", ROOT.resolve("docker-compose.yml").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).directory(ROOT.toFile());
        builder.environment().put("DOCKER_GID", "999");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void theComposeFileIsValidAndRunsTwoServersOnOneRedis() throws Exception {
        JsonNode config = new YAMLMapper().readTree(compose("config"));
        JsonNode services = config.get("services");
        assertThat(services.has("redis")).isTrue();
        assertThat(services.at("/redis/command").toString()).contains("appendonly");
        for (String server : List.of("lease-a", "lease-b")) {
            JsonNode s = services.get(server);
            assertThat(s.at("/environment/STORE").asText()).isEqualTo("redis://redis:6379/0");
            // Each server's data in a volume of its own (nothing of it is mounted into lease containers).
            assertThat(s.get("volumes").toString()).contains(server + "-data").contains("/var/run/docker.sock");
            assertThat(s.at("/group_add/0").asText()).isEqualTo("999");
        }
        // The dead-man's watch needs nothing but the engine: no store, no port.
        JsonNode watch = services.get("deadline-watch");
        assertThat(watch.get("command").toString()).contains("reap", "--watch");
        assertThat(watch.has("depends_on")).isFalse();
        assertThat(watch.has("ports")).isFalse();
        assertThat(watch.get("volumes").toString()).contains("/var/run/docker.sock");
    }

    @Test
    void theImageIsBuiltInStagesAndRunsAsItsOwnUserWithAHealthCheck() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile.lines().filter(l -> l.startsWith("FROM "))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(dockerfile)
                .contains("USER containerlease")
                .contains("HEALTHCHECK")
                .contains("/healthz");
        assertThat(Files.readString(ROOT.resolve(".dockerignore"))).contains("node_modules");
    }
}
