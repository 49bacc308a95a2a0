package io.containerlease.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Small static programs the tests run inside leases (C sources under src/test/c), built once per
 * run with musl-gcc (which the helper's build installs), or gcc -static.
 */
public final class TestPrograms {
    private TestPrograms() {}

    /** ws-echo: a page and a WebSocket echo on a port (src/test/c/ws-echo.c). */
    public static synchronized Path wsEcho() {
        return build("ws-echo");
    }

    private static Path build(String name) {
        Path source = Path.of("src", "test", "c", name + ".c").toAbsolutePath();
        Path binary = Path.of("target", "test-programs", name).toAbsolutePath();
        try {
            if (Files.exists(binary)
                    && Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) >= 0) {
                return binary;
            }
            Files.createDirectories(binary.getParent());
            for (String compiler : List.of("musl-gcc", "gcc")) {
                Process build = new ProcessBuilder(
                                compiler, "-std=gnu11", "-O2", "-static", "-o", binary.toString(), source.toString())
                        .redirectErrorStream(true)
                        .start();
                String output = new String(build.getInputStream().readAllBytes());
                if (build.waitFor() == 0) {
                    return binary;
                }
                System.err.println(compiler + " could not build " + name + ": " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("cannot build " + source + " (musl-gcc or gcc -static)");
    }
}
