package io.containerlease.support;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake kubelet's programs: each running pod's program as a local process, its output (with the
 * time of each line) as the pod's log, and the pod's exec endpoint answered by a local process over
 * the WebSocket protocol a kubelet speaks ({@code v4.channel.k8s.io}: a channel byte before each
 * message, 0 input, 1 output, 2 errors, 3 the final status, 4 a terminal's size). The pod's volumes
 * are local directories (every path into them in a command is rewritten), our helper's holding the
 * helper the build made; an attach to PID 1 and the helper's {@code held} are answered as our helper
 * would. A log is answered whole: what the program wrote until the request (the mock cannot stream a
 * response without end, so a follow ends there). Everything runs as the test's own user: it is for the
 * tests' own commands only.
 */
final class PodProcesses implements AutoCloseable {
    private static final Pattern POD_PATH =
            Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/(exec|log|attach)(?:\\?(.*))?");
    private static final String HELPER_DIRECTORY = io.containerlease.helper.HelperBinary.DIRECTORY;
    private static final String HELPER = io.containerlease.helper.HelperBinary.PATH;
    private static final int KEPT_LINES = 10_000;
    /**
     * Platform threads for reading and waiting on local processes: a virtual thread blocked reading a
     * pipe holds one of the JVM's carriers (two on these machines), and later tests in the same JVM that
     * run on virtual threads would wait for them.
     */
    private static final Thread.Builder DAEMON = Thread.ofPlatform().daemon().name("fake-kubelet-io");

    private record Line(Instant at, String text) {}

    private static final class Program {
        final String name;
        final Process process;
        /** The pod's volumes as local directories: mount path → where it is here. */
        final Map<String, String> volumes;

        final Deque<Line> log = new ArrayDeque<>();
        /** Commands exec'd in it: they end with its container, as on a node. */
        final List<Process> execs = new CopyOnWriteArrayList<>();
        /** As our helper holds them: the cap from its arguments, and the deadline in force (-1: none). */
        final long cap;

        volatile long held;

        Program(String name, Process process, long cap, Map<String, String> volumes) {
            this.name = name;
            this.process = process;
            this.volumes = volumes;
            this.cap = cap;
            this.held = cap;
        }

        /** What the helper does with a line on its input: "deadline EPOCH", never past the cap. */
        void control(String line) {
            if (cap >= 0 && line.matches("deadline \\d{1,18}")) {
                held = Math.min(cap, Long.parseLong(line.substring(9)));
            }
        }

        /** The container ends: its program, and every command exec'd in it. */
        void end(boolean force) {
            if (force) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            } else {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
            }
            execs.forEach(PodProcesses::killTree);
        }

        synchronized void add(String text) {
            log.addLast(new Line(Instant.now(), text));
            if (log.size() > KEPT_LINES) {
                log.removeFirst();
            }
        }

        synchronized List<Line> lines() {
            return new ArrayList<>(log);
        }
    }

    private final String namespace;
    private final Map<String, Program> byUid = new ConcurrentHashMap<>();
    private final Map<String, Program> byName = new ConcurrentHashMap<>();
    private final List<Process> execs = new CopyOnWriteArrayList<>();
    private final List<java.nio.file.Path> roots = new CopyOnWriteArrayList<>();
    private final Map<String, java.nio.file.Path> claims = new ConcurrentHashMap<>();
    /** How long the kubelet takes to answer a stream's opening (a busy node). */
    volatile java.time.Duration streamDelay = java.time.Duration.ZERO;

    /** The terminal sizes exec streams were told, as the JSON they came in. */
    final List<String> resizes = new CopyOnWriteArrayList<>();

    PodProcesses(KubernetesMock mock, String namespace) {
        this.namespace = namespace;
        mock.handle(this::answer);
    }

    void run(Pod pod) {
        String uid = pod.getMetadata().getUid();
        if (byUid.containsKey(uid)) {
            return;
        }
        var container = pod.getSpec().getContainers().get(0);
        List<String> command = container.getCommand();
        if (command == null || command.isEmpty()) {
            return; // the image's own program, which only a real node knows: it runs until the pod goes
        }
        int dashes = command.indexOf("--");
        List<String> program = dashes < 0 ? command : command.subList(dashes + 1, command.size());
        int flag = command.indexOf("--deadline");
        long cap = flag >= 0 && flag < dashes ? Long.parseLong(command.get(flag + 1)) : -1;
        Map<String, String> volumes = volumes(pod);
        var builder = new ProcessBuilder(local(program, volumes))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (container.getEnv() != null) {
            container.getEnv().forEach(e -> builder.environment().put(e.getName(), local(e.getValue(), volumes)));
        }
        try {
            Process process = builder.start();
            var running = new Program(pod.getMetadata().getName(), process, cap, volumes);
            byUid.put(uid, running);
            byName.put(running.name, running);
            pump(process.getInputStream(), running);
            pump(process.getErrorStream(), running);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + program, e);
        }
    }

    /**
     * Each volume the pod's container mounts, as a directory of its own under the test's temporary
     * directory; our helper's volume holds the helper the build made, as the init container would put it.
     */
    private Map<String, String> volumes(Pod pod) {
        Map<String, String> volumes = new java.util.LinkedHashMap<>();
        try {
            java.nio.file.Path root = temporaryDirectory("fake-kubelet-pod-");
            Map<String, String> claimOf = new java.util.HashMap<>();
            for (var volume : pod.getSpec().getVolumes() == null
                    ? List.<io.fabric8.kubernetes.api.model.Volume>of()
                    : pod.getSpec().getVolumes()) {
                if (volume.getPersistentVolumeClaim() != null) {
                    claimOf.put(
                            volume.getName(), volume.getPersistentVolumeClaim().getClaimName());
                }
            }
            for (var mount : pod.getSpec().getContainers().get(0).getVolumeMounts()) {
                String claim = claimOf.get(mount.getName());
                // A claim outlives its pods: one directory per claim, shared by every pod that mounts it.
                java.nio.file.Path local = claim != null
                        ? claims.computeIfAbsent(claim, c -> temporaryDirectory("fake-kubelet-claim-"))
                        : root.resolve(mount.getMountPath().substring(1));
                java.nio.file.Files.createDirectories(local);
                if (mount.getMountPath().equals(HELPER_DIRECTORY)) {
                    java.nio.file.Path helper = local.resolve("containerlease-helper");
                    java.nio.file.Files.write(
                            helper,
                            io.containerlease.helper.HelperBinary.fromJar().bytes());
                    helper.toFile().setExecutable(true);
                }
                volumes.put(mount.getMountPath(), local.toString());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return volumes;
    }

    private java.nio.file.Path temporaryDirectory(String prefix) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
            roots.add(dir);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A command with every path inside the pod's volumes turned into where that volume is here. */
    private static List<String> local(List<String> command, Map<String, String> volumes) {
        return command.stream().map(word -> local(word, volumes)).toList();
    }

    /** In one pass, longest mount path first, so a volume's local path is never rewritten again. */
    private static String local(String word, Map<String, String> volumes) {
        if (volumes.isEmpty()) {
            return word;
        }
        String alternatives = volumes.keySet().stream()
                .sorted(java.util.Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining("|"));
        return Pattern.compile(alternatives)
                .matcher(word)
                .replaceAll(match -> Matcher.quoteReplacement(volumes.get(match.group())));
    }

    private static void pump(InputStream from, Program into) {
        DAEMON.start(() -> {
            try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(from, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException ended) {
                // the process went
            }
        });
    }

    Optional<Integer> exitStatus(String uid) {
        Program program = byUid.get(uid);
        if (program == null || program.process.isAlive()) {
            return Optional.empty();
        }
        return Optional.of(program.process.exitValue());
    }

    /** The deadline the helper of the pod so named holds now, in Unix seconds (-1: none, or no such pod). */
    long held(String podName) {
        Program program = byName.get(podName);
        return program == null ? -1 : program.held;
    }

    /** Whether the helper's deadline in force has passed (it then ends the program, and exits 0). */
    boolean helperDeadlinePassed(String uid) {
        Program program = byUid.get(uid);
        return program != null && program.held >= 0 && Instant.now().getEpochSecond() >= program.held;
    }

    void terminate(String uid) {
        Program program = byUid.get(uid);
        if (program != null) {
            program.end(false);
        }
    }

    /** Ends the programs of pods that are gone. */
    void keepOnly(Set<String> uids) {
        byUid.entrySet().removeIf(e -> {
            if (uids.contains(e.getKey())) {
                return false;
            }
            e.getValue().end(true);
            byName.remove(e.getValue().name, e.getValue());
            return true;
        });
    }

    private Optional<MockResponse> answer(RecordedRequest request) {
        Matcher m = POD_PATH.matcher(request.getPath());
        if (!m.matches() || !m.group(1).equals(namespace)) {
            return Optional.empty();
        }
        Program program = byName.get(m.group(2));
        if (program == null) {
            return Optional.of(new MockResponse().setResponseCode(404).setBody("{\"kind\":\"Status\",\"code\":404}"));
        }
        Map<String, List<String>> query = query(m.group(4));
        if (m.group(3).equals("log")) {
            return Optional.of(new MockResponse().setResponseCode(200).setBody(log(program, query)));
        }
        if (!program.process.isAlive()) {
            // As an API server answers for a pod whose container has ended.
            return Optional.of(new MockResponse()
                    .setResponseCode(400)
                    .setBody("{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":400,"
                            + "\"message\":\"cannot exec into a container in a completed pod\"}"));
        }
        if (!streamDelay.isZero()) {
            try {
                Thread.sleep(streamDelay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        WebSocketListener stream = m.group(3).equals("attach")
                ? new Attach(program)
                : query.getOrDefault("command", List.of()).equals(List.of(HELPER, "held"))
                        ? new Held(program)
                        : new Exec(query, program);
        return Optional.of(new MockResponse()
                .setHeader("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
                .withWebSocketUpgrade(stream));
    }

    private static String log(Program program, Map<String, List<String>> query) {
        List<Line> lines = program.lines();
        Optional<Instant> since = first(query, "sinceTime").map(Instant::parse);
        if (since.isPresent()) {
            lines = lines.stream().filter(l -> !l.at().isBefore(since.get())).toList();
        }
        Optional<Integer> tail = first(query, "tailLines").map(Integer::parseInt);
        if (tail.isPresent() && lines.size() > tail.get()) {
            lines = lines.subList(lines.size() - tail.get(), lines.size());
        }
        boolean timestamps =
                first(query, "timestamps").map(Boolean::parseBoolean).orElse(false);
        var body = new StringBuilder();
        for (Line line : lines) {
            body.append(timestamps ? line.at() + " " : "").append(line.text()).append('\n');
        }
        int limit = first(query, "limitBytes").map(Integer::parseInt).orElse(Integer.MAX_VALUE);
        return body.length() > limit ? body.substring(0, limit) : body.toString();
    }

    /** An attach to PID 1's input: what our helper reads there are its control lines. */
    private static final class Attach extends WebSocketListener {
        private final Program program;
        private final StringBuilder pending = new StringBuilder();

        Attach(Program program) {
            this.program = program;
        }

        @Override
        public void onMessage(WebSocket socket, String text) {
            onMessage(socket, text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void onMessage(WebSocket socket, ByteString bytes) {
            onMessage(socket, bytes.toByteArray());
        }

        @Override
        public synchronized void onMessage(WebSocket socket, byte[] bytes) {
            if (bytes.length == 0 || bytes[0] != 0) {
                return;
            }
            pending.append(new String(bytes, 1, bytes.length - 1, StandardCharsets.US_ASCII));
            int newline;
            while ((newline = pending.indexOf("\n")) >= 0) {
                program.control(pending.substring(0, newline));
                pending.delete(0, newline + 1);
            }
        }
    }

    /** Our helper's {@code held}: the deadline in force, as its arguments would show it. */
    private static final class Held extends WebSocketListener {
        private final Program program;

        Held(Program program) {
            this.program = program;
        }

        @Override
        public void onOpen(WebSocket socket, Response response) {
            long held = program.held;
            if (held >= 0) {
                send(socket, 1, held + "\n");
            }
            send(socket, 3, status(held >= 0 ? 0 : 1, null));
            socket.close(1000, "");
        }
    }

    /** One exec stream: a local process, its output as channel messages, its end as a status. */
    private final class Exec extends WebSocketListener {
        private final Map<String, List<String>> query;
        private final Program container;
        private volatile Process process;

        Exec(Map<String, List<String>> query, Program container) {
            this.query = query;
            this.container = container;
        }

        @Override
        public void onOpen(WebSocket socket, Response response) {
            List<String> command = query.getOrDefault("command", List.of());
            if (command.size() > 1
                    && command.get(0).equals(HELPER)
                    && command.get(1).equals("init")) {
                // Our init outside a PID namespace would end this machine's processes at its deadline.
                send(socket, 3, status(126, "the fake kubelet never runs the helper's init"));
                socket.close(1000, "");
                return;
            }
            command = local(command, container.volumes);
            boolean tty = first(query, "tty").map(Boolean::parseBoolean).orElse(false);
            List<String> argv = tty ? List.of("script", "-q", "-e", "-c", shellQuoted(command), "/dev/null") : command;
            try {
                synchronized (this) {
                    process = new ProcessBuilder(argv).redirectErrorStream(tty).start();
                    Process started = process;
                    // Input is written by a thread of its own: a full pipe must never block the mock's event loop,
                    // which also carries the command's output out.
                    DAEMON.start(() -> pumpInput(started));
                    input(early.toByteArray(), 0, early.size());
                }
            } catch (IOException e) {
                send(socket, 3, status(127, "exec failed: " + e.getMessage()));
                socket.close(1000, "");
                return;
            }
            execs.add(process);
            container.execs.add(process);
            Thread out = relay(process.getInputStream(), socket, 1);
            Thread err = tty ? null : relay(process.getErrorStream(), socket, 2);
            DAEMON.start(() -> {
                try {
                    int code = process.waitFor();
                    out.join();
                    if (err != null) {
                        err.join();
                    }
                    send(socket, 3, status(code, null));
                    socket.close(1000, "");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        public void onMessage(WebSocket socket, String text) {
            onMessage(socket, text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void onMessage(WebSocket socket, ByteString bytes) {
            onMessage(socket, bytes.toByteArray());
        }

        /** Input that came before the command started (the client may write as soon as it is upgraded). */
        private final java.io.ByteArrayOutputStream early = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void onMessage(WebSocket socket, byte[] bytes) {
            if (bytes.length == 0) {
                return;
            }
            if (bytes[0] == 4) {
                resizes.add(new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8));
            } else if (bytes[0] == 0) {
                if (process == null) {
                    early.write(bytes, 1, bytes.length - 1);
                    return;
                }
                input(bytes, 1, bytes.length - 1);
            }
        }

        /** What the client sent for the command's input, in order; an empty array ends the pump. */
        private final java.util.concurrent.LinkedBlockingQueue<byte[]> pending =
                new java.util.concurrent.LinkedBlockingQueue<>();

        private void input(byte[] bytes, int from, int length) {
            if (length > 0) {
                pending.add(java.util.Arrays.copyOfRange(bytes, from, from + length));
            }
        }

        private void pumpInput(Process command) {
            try {
                OutputStream in = command.getOutputStream();
                for (byte[] bytes = pending.take(); bytes.length > 0; bytes = pending.take()) {
                    in.write(bytes);
                    in.flush();
                }
            } catch (IOException gone) {
                // the command ended
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onClosing(WebSocket socket, int code, String reason) {
            end();
        }

        @Override
        public void onClosed(WebSocket socket, int code, String reason) {
            end();
        }

        @Override
        public void onFailure(WebSocket socket, Throwable t, Response response) {
            end();
        }

        private void end() {
            pending.add(new byte[0]);
            if (process != null) {
                killTree(process);
            }
        }
    }

    private static Thread relay(InputStream from, WebSocket socket, int channel) {
        return DAEMON.start(() -> {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = from.read(buffer)) > 0) {
                    byte[] message = new byte[n + 1];
                    message[0] = (byte) channel;
                    System.arraycopy(buffer, 0, message, 1, n);
                    socket.send(message);
                }
            } catch (IOException ended) {
                // the command went
            }
        });
    }

    private static void send(WebSocket socket, int channel, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[payload.length + 1];
        message[0] = (byte) channel;
        System.arraycopy(payload, 0, message, 1, payload.length);
        socket.send(message);
    }

    /** The Status a kubelet ends an exec stream with. */
    private static String status(int code, String failure) {
        if (code == 0) {
            return "{\"metadata\":{},\"status\":\"Success\"}";
        }
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                + (failure == null ? "command terminated with non-zero exit code" : failure.replace("\"", "'"))
                + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\""
                + code + "\"}]}}";
    }

    private static String shellQuoted(List<String> command) {
        var out = new StringBuilder();
        for (String word : command) {
            out.append(out.isEmpty() ? "" : " ")
                    .append('\'')
                    .append(word.replace("'", "'\\''"))
                    .append('\'');
        }
        return out.toString();
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static Optional<String> first(Map<String, List<String>> query, String key) {
        return Optional.ofNullable(query.get(key)).filter(v -> !v.isEmpty()).map(v -> v.get(0));
    }

    /** A process and every process it started (a shell's children would keep its pipes open). */
    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        byUid.values().forEach(p -> p.end(true));
        execs.forEach(PodProcesses::killTree);
        for (java.nio.file.Path root : roots) {
            try (var walk = java.nio.file.Files.walk(root)) {
                walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException gone) {
                // a temporary directory: the best that can be done
            }
        }
    }
}
