package io.containerlease.cli;

import io.containerlease.ContainerLeaseServer;
import io.containerlease.StartupException;
import io.containerlease.config.ConfigException;
import io.containerlease.config.ServiceConfig;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/** Runs the server until SIGTERM or SIGINT, then stops it in order (leases stay running). */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the ContainerLease server (configured by environment variables; see README).",
        footer = {
            "",
            "Examples:",
            "  bin/containerlease serve                              # http://127.0.0.1:8080, data in ./data",
            "  PORT=8081 DATA_DIR=data-b AUTH_TOKENS_FILE=tokens.yaml bin/containerlease serve"
        })
public final class ServeCommand implements Callable<Integer> {
    static final int EXIT_CONFIG = 2;
    static final int EXIT_STARTUP = 3;
    /** Set by bin/containerlease when its output is a terminal. */
    static final String INTERACTIVE_PROPERTY = "containerlease.interactive";

    @Override
    public Integer call() {
        ServiceConfig config;
        try {
            config = ServiceConfig.fromEnvironment(System.getenv());
        } catch (ConfigException e) {
            System.err.println("containerlease: " + e.getMessage());
            return EXIT_CONFIG;
        }
        // Must happen before the first logger exists: logback.xml reads these.
        System.setProperty(
                "containerlease.log.format", config.logFormat().name().toLowerCase(Locale.ROOT));
        System.setProperty("containerlease.log.level", config.logLevel().toUpperCase(Locale.ROOT));
        var log = LoggerFactory.getLogger(ServeCommand.class);

        ContainerLeaseServer server;
        try {
            server = ContainerLeaseServer.start(config);
        } catch (StartupException | ConfigException e) {
            System.err.println("containerlease: " + e.getMessage());
            return EXIT_STARTUP;
        }
        server.firstStartNotice().ifPresent(notice -> System.out.println("\n" + notice + "\n"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("stopping: leases stay running and are picked up at next start");
                            server.close();
                            stopped.countDown();
                        },
                        "containerlease-shutdown"));
        log.info(
                "ContainerLease listening on {} (Docker API {}, {} image types, data in {})",
                server.baseUrl(),
                server.dockerApiVersion(),
                server.imageTypes(),
                config.dataDir().toAbsolutePath().normalize());
        // At a person's terminal (bin/containerlease says so), every start shows where to sign in;
        // a log collected elsewhere gets the token only on the first start.
        if (server.firstStartNotice().isEmpty() && Boolean.getBoolean(INTERACTIVE_PROPERTY)) {
            server.signInUrl().ifPresent(url -> System.out.println("\nWeb console, signed in as admin: " + url + "\n"));
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
