package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Control of a lease's container (stop, start, restart, pause, unpause) and what it uses now (stats). */
public final class WorkloadCommands {
    private WorkloadCommands() {}

    /** One action on the container; answers once the engine has done it, with the state it is in. */
    abstract static class Action extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        abstract String action();

        ObjectNode body() {
            return null;
        }

        @Override
        protected int run(ServiceClient client) {
            JsonNode lease = client.post(leasePath(id) + "/" + action(), body());
            out().println(id + ": container " + lease.at("/container/state").asText("unknown"));
            return 0;
        }
    }

    /** Stop and restart give the program a while to end on SIGTERM. */
    abstract static class Stopping extends Action {
        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                converter = Durations.class,
                description = "How long the program has to end on SIGTERM before it is killed (default 10s).")
        Duration timeout;

        @Override
        ObjectNode body() {
            return timeout == null ? null : JSON.createObjectNode().put("timeoutSeconds", timeout.toSeconds());
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = "Stop the lease's container (the lease goes on).",
            footer = {"", "Example:", "  containerlease stop 01m8… --timeout 30s"})
    public static final class Stop extends Stopping {
        @Override
        String action() {
            return "stop";
        }
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = "Start the lease's stopped container again.",
            footer = {"", "Example:", "  containerlease start 01m8…"})
    public static final class Start extends Action {
        @Override
        String action() {
            return "start";
        }
    }

    @Command(
            name = "restart",
            mixinStandardHelpOptions = true,
            description = "Restart the lease's container.",
            footer = {"", "Example:", "  containerlease restart 01m8…"})
    public static final class Restart extends Stopping {
        @Override
        String action() {
            return "restart";
        }
    }

    @Command(
            name = "pause",
            mixinStandardHelpOptions = true,
            description = "Freeze the lease's container.",
            footer = {"", "Example:", "  containerlease pause 01m8…"})
    public static final class Pause extends Action {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(
            name = "unpause",
            mixinStandardHelpOptions = true,
            description = "Thaw the lease's paused container.",
            footer = {"", "Example:", "  containerlease unpause 01m8…"})
    public static final class Unpause extends Action {
        @Override
        String action() {
            return "unpause";
        }
    }

    @Command(
            name = "stats",
            mixinStandardHelpOptions = true,
            description = "What the lease's container uses now.",
            footer = {"", "Examples:", "  containerlease stats 01m8…", "  containerlease stats 01m8… -o json"})
    public static final class Stats extends LeaseView {
        @Override
        String part() {
            return "/stats";
        }

        @Override
        void table(JsonNode stats) {
            TextColumns.print(
                    out(), List.of(new String[] {"CPU", "MEMORY", "LIMIT", "PIDS", "READ", "WRITTEN"}, new String[] {
                        String.format("%.1f%%", stats.path("cpuPercent").asDouble()),
                        mib(stats.path("memoryBytes").asLong()),
                        mib(stats.path("memoryLimitBytes").asLong()),
                        stats.path("pids").asText() + "/"
                                + stats.path("pidsLimit").asText(),
                        mib(stats.path("blockReadBytes").asLong()),
                        mib(stats.path("blockWriteBytes").asLong())
                    }));
        }

        private static String mib(long bytes) {
            return String.format("%.1f MiB", bytes / 1048576.0);
        }
    }
}
