package io.containerlease.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.containerlease.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command-line client as a user runs it: a process of its own (this JVM and class path), its
 * config in a directory of the test's (XDG_CONFIG_HOME), and none of the caller's server settings.
 */
public final class ClientProcess {
    /** What a finished run left: its exit code and everything it printed. */
    public record Run(int exit, String out, String err) {}

    private ClientProcess() {}

    /** The client's command line with {@code args}. */
    public static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** A process of the client, not yet started, with {@code env} over a clean client environment. */
    public static ProcessBuilder builder(Path configHome, Map<String, String> env, String... args) {
        ProcessBuilder builder = new ProcessBuilder(command(args));
        builder.environment().remove("CONTAINERLEASE_URL");
        builder.environment().remove("CONTAINERLEASE_TOKEN");
        builder.environment().put("XDG_CONFIG_HOME", configHome.toString());
        builder.environment().putAll(env);
        return builder;
    }

    /** Runs the client to its end with {@code stdin} as its input. */
    public static Run run(Path configHome, Map<String, String> env, String stdin, String... args)
            throws IOException, InterruptedException {
        Process process = builder(configHome, env, args).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        var out = process.getInputStream().readAllBytes();
        var err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(
                process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
