package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every client command shares: the server it talks to, where it writes, and how it fails. */
public abstract class ClientCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The environment the commands read: the process's (tests run the client as a process with its own). */
    static final Map<String, String> environment = System.getenv();

    @Spec
    CommandSpec spec;

    /** Prints a server failure as the server said it, and answers the exit code that classifies it. */
    public static final CommandLine.IExecutionExceptionHandler FAILURES = (e, commandLine, parseResult) -> {
        PrintWriter err = commandLine.getErr();
        if (e instanceof ClientFailure failure) {
            err.println("error: " + failure.describe());
            err.flush();
            return failure.exitCode();
        }
        err.println("error: " + e.getMessage());
        err.flush();
        return ClientFailure.REFUSED;
    };

    @Override
    public final Integer call() {
        return run(client());
    }

    /** Does the command's work; returns its exit code. */
    protected abstract int run(ServiceClient client);

    protected ServiceClient client() {
        ClientConfig config = new ClientConfig(environment);
        return new ServiceClient(config.url(), config.token());
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected void printJson(JsonNode json) {
        try {
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's JSON as it is with {@code -o json}; otherwise what {@code table} prints. */
    protected void show(LeaseTable.Format format, JsonNode json, Runnable table) {
        if (format == LeaseTable.Format.json) {
            printJson(json);
        } else {
            table.run();
        }
    }

    /** A lease's path in the API. */
    protected static String leasePath(String id) {
        return "/api/containers/" + leaseSegment(id);
    }

    /**
     * A lease id as a path segment of any endpoint ({@code /ws/logs/}, say). One that cannot be a
     * lease id is no such lease (exit 4) before anything is asked, as an unknown one is after.
     */
    protected static String leaseSegment(String id) {
        if (!io.containerlease.lease.LeaseId.isValid(id)) {
            throw new ClientFailure(
                    ClientFailure.NOT_FOUND,
                    "lease_not_found",
                    "no lease '" + id + "': a lease id is 26 letters and digits, as 'containerlease ls' shows it");
        }
        return encoded(id);
    }

    /** {@code &name=value} for a query, or nothing when there is no value. */
    protected static String param(String name, String value) {
        return value == null ? "" : "&" + name + "=" + encoded(value);
    }

    /** A value as one segment of a path or query. */
    protected static String encoded(String id) {
        return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
    }
}
