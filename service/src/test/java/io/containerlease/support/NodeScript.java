package io.containerlease.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Node.js script of the web project ({@code web/e2e/…}) run from a Java test: the browser and the
 * npm clients live there. Its output is printed, and the test fails with it unless it exits with 0.
 */
public final class NodeScript {
    public static final Path WEB = Path.of("..", "web").toAbsolutePath().normalize();

    private NodeScript() {}

    /** Runs {@code node script} in web/ with {@code env}; {@code logDir} keeps its output. */
    public static void run(String script, Map<String, String> env, Duration timeout, Path logDir)
            throws IOException, InterruptedException {
        Path log = logDir.resolve(Path.of(script).getFileName() + ".log");
        ProcessBuilder node = new ProcessBuilder("node", script)
                .directory(WEB.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        node.environment().putAll(env);
        Process run = node.start();
        boolean finished = run.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        String output = Files.readString(log);
        System.out.println(output);
        if (!finished) {
            run.destroyForcibly();
        }
        assertThat(finished && run.exitValue() == 0)
                .as("%s failed:\n%s", script, output)
                .isTrue();
    }
}
