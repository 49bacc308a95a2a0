package io.containerlease.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts the local Docker engine, as scripts/ensure-docker.sh starts it. That stops every
 * container on the host, so it runs only when asked (bench --restart-engine), as root with a local
 * dockerd, and only while no container but the bench's own is running; otherwise the chaos run
 * says why it skipped this part.
 */
final class EngineRestart {

    /** Why the engine may not be restarted now, or null when it may. */
    String whyNot(String benchInstance) throws IOException, InterruptedException {
        String environment = whyNotHere();
        if (environment != null) {
            return environment;
        }
        long others = othersRunning(benchInstance);
        return others == 0 ? null : others + " running container(s) that are not the bench's would be stopped";
    }

    /** Running containers not labelled with the bench's own instance. */
    private static long othersRunning(String benchInstance) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "ps", "--format", "{{.Label \"containerlease.instance\"}}").start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("docker ps failed");
        }
        return out.lines().filter(instance -> !instance.equals(benchInstance)).count();
    }

    private static String whyNotHere() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/dockerd")) && !Files.isExecutable(Path.of("/usr/bin/dockerd"))) {
            return "no local dockerd";
        }
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank() && !host.equals("unix:///var/run/docker.sock")) {
            return "DOCKER_HOST points elsewhere";
        }
        return null;
    }

    /** Stops the engine and waits until its process is gone (a new one refuses to start while the old exits). */
    void stop() throws IOException, InterruptedException {
        run("pkill", "-TERM", "-x", "dockerd");
        for (int i = 0; i < 300 && run("pgrep", "-x", "dockerd") == 0; i++) {
            Thread.sleep(100);
        }
    }

    /** Starts the engine as scripts/ensure-docker.sh does, and waits until it answers. */
    void start() throws IOException, InterruptedException {
        new ProcessBuilder(
                        "sh",
                        "-c",
                        "nohup dockerd --bridge=none --iptables=false --ip-masq=false >>/tmp/containerlease-dockerd.log 2>&1 &")
                .inheritIO()
                .start()
                .waitFor();
        for (int i = 0; i < 300 && !answers(); i++) {
            Thread.sleep(100);
        }
        if (!answers()) {
            throw new IllegalStateException("the Docker engine did not come back; see /tmp/containerlease-dockerd.log");
        }
    }

    private static boolean answers() throws IOException, InterruptedException {
        return new ProcessBuilder("docker", "info")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor()
                == 0;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
