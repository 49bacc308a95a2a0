package io.containerlease.preview;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseNotFoundException;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.LeaseState;
import io.containerlease.session.SessionView;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The previews' own server, on PREVIEW_PORT: a request's Host names the lease and port
 * ({@link PreviewAddress}); {@code /__containerlease/auth?token=} trades a link from the API for a
 * host-only, HttpOnly cookie of that origin alone; with a good cookie, the connection is carried
 * to the port inside the container through its relay, bytes as they are (HTTP of any size,
 * chunked, streamed, WebSocket upgrades), our cookie taken out of the request that opened it. The
 * lease, and who asked for the link, are checked again for every connection; a lease's end closes
 * its relays and so every connection through them.
 */
public final class PreviewGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PreviewGateway.class);
    public static final String COOKIE = "containerlease_preview";
    public static final String AUTH_PATH = "/__containerlease/auth";
    private static final int MAX_HEAD = 16 * 1024;
    private static final int HEAD_TIMEOUT_MILLIS = 30_000;
    /** Connections through previews at once (each is a socket here and one in a relay). */
    static final int MAX_CONNECTIONS = 512;

    private volatile PreviewAddress address;
    private final PreviewTokens tokens;
    private final PreviewRelays relays;
    private final LeaseService leases;
    private final SessionView sessions;
    private final InstantSource clock;
    private final BiPredicate<Caller, String> stillValid;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Binds the port; {@link #start} begins serving, once the address (which may name the port) is known. */
    public PreviewGateway(
            String host,
            int port,
            PreviewTokens tokens,
            PreviewRelays relays,
            LeaseService leases,
            SessionView sessions,
            InstantSource clock,
            BiPredicate<Caller, String> stillValid)
            throws IOException {
        this.tokens = tokens;
        this.relays = relays;
        this.leases = leases;
        this.sessions = sessions;
        this.clock = clock;
        this.stillValid = stillValid;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port), 128);
    }

    /** Serves previews at {@code address}. */
    public void start(PreviewAddress address) {
        this.address = address;
        Thread.ofPlatform().daemon().name("preview-accept").start(this::accept);
    }

    /** Browser connections open now. */
    public int openConnections() {
        return open.size();
    }

    /** The port bound (PREVIEW_PORT=0 asks for any free one). */
    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (open.size() >= MAX_CONNECTIONS) {
                    client.close();
                    continue;
                }
                open.add(client);
                Thread.ofVirtual().name("preview-client").start(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    log.warn("the preview server could not accept a connection: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(HEAD_TIMEOUT_MILLIS);
            // Responses go out in the pieces the program wrote them: no waiting for a delayed ACK (40 ms).
            client.setTcpNoDelay(true);
            // Buffered: the head is read a byte at a time from memory, not a system call each; what the buffer
            // holds past the head is the request's body, and goes to the program with the rest (the same stream).
            InputStream in = new java.io.BufferedInputStream(client.getInputStream(), 16 * 1024);
            OutputStream out = client.getOutputStream();
            byte[] head = readHead(in);
            if (head == null) {
                answer(out, 400, "Bad request", "The request had no end to its head, or was over 16 KiB.");
                return;
            }
            Request request = Request.parse(head);
            if (request == null) {
                answer(out, 400, "Bad request", "That is not an HTTP/1 request.");
                return;
            }
            Optional<PreviewAddress.Target> target = address.target(request.header("host"));
            if (target.isEmpty()) {
                answer(out, 404, "No such preview", "This address is not a lease's preview.");
                return;
            }
            PreviewAddress.Target to = target.get();
            Instant now = clock.instant();
            if (request.path().equals(AUTH_PATH)) {
                signIn(out, request, to, now);
                return;
            }
            Optional<PreviewTokens.Grant> grant = request.cookie(COOKIE)
                    .flatMap(value -> tokens.verify(value, PreviewTokens.Kind.SESSION, to.lease(), to.port(), now));
            if (grant.isEmpty()) {
                answer(
                        out,
                        401,
                        "Open this preview from its link",
                        "Ask for a link on the lease's page (Open), or with 'containerlease open ID PORT'.");
                return;
            }
            Lease lease = runningLease(out, grant.get(), to);
            if (lease == null) {
                return;
            }
            sessions.touch(lease.id());
            TcpRelay.Connection connection;
            try {
                connection = relays.connect(lease.id(), to.port());
            } catch (IOException e) {
                answer(
                        out,
                        502,
                        "Nothing answers on port " + to.port(),
                        "Nothing in the lease's container listens on port " + to.port() + " yet.");
                return;
            }
            client.setSoTimeout(0);
            carry(client, request.withoutCookie(COOKIE), in, out, connection);
        } catch (IOException e) {
            // the browser went away
        } finally {
            open.remove(client);
        }
    }

    private void signIn(OutputStream out, Request request, PreviewAddress.Target to, Instant now) throws IOException {
        Optional<PreviewTokens.Grant> link = request.query("token")
                .flatMap(token -> tokens.verify(token, PreviewTokens.Kind.LINK, to.lease(), to.port(), now));
        if (link.isEmpty()) {
            answer(
                    out,
                    401,
                    "This link has expired",
                    "A preview link works for a minute: ask for a new one on the lease's page.");
            return;
        }
        Lease lease = runningLease(out, link.get(), to);
        if (lease == null) {
            return;
        }
        String session = tokens.sign(new PreviewTokens.Grant(
                PreviewTokens.Kind.SESSION,
                to.lease(),
                to.port(),
                link.get().caller(),
                link.get().tokenSha256(),
                lease.maxExpiresAt()));
        String next = request.query("next")
                .filter(p -> p.startsWith("/") && !p.startsWith("//"))
                .orElse("/");
        // Host-only (no Domain), so no other preview's origin ever receives it; HttpOnly, so the page cannot read it.
        String cookie =
                COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Lax" + (address.secure() ? "; Secure" : "");
        byte[] head = ("HTTP/1.1 302 Found\r\nLocation: " + next + "\r\nSet-Cookie: " + cookie
                        + "\r\nCache-Control: no-store\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        out.write(head);
        out.flush();
    }

    /**
     * The lease, running and still visible to whoever asked for the link, by a token not revoked since;
     * otherwise the answer says why and null comes back.
     */
    private Lease runningLease(OutputStream out, PreviewTokens.Grant grant, PreviewAddress.Target to)
            throws IOException {
        if (!stillValid.test(grant.caller(), grant.tokenSha256())) {
            answer(out, 401, "This preview's access was withdrawn", "The token it was opened with has been revoked.");
            return null;
        }
        Lease lease;
        try {
            lease = leases.get(to.lease(), grant.caller());
        } catch (LeaseNotFoundException e) {
            answer(out, 404, "No such lease", "This lease is not there, or not yours.");
            return null;
        }
        if (lease.state() != LeaseState.RUNNING) {
            answer(out, 410, "This lease has ended", "Its container, and this preview, are gone.");
            return null;
        }
        return lease;
    }

    /** Both ways until either side ends: the request that opened it first, then whatever follows. */
    private void carry(Socket client, byte[] head, InputStream in, OutputStream out, TcpRelay.Connection connection)
            throws IOException {
        try (connection) {
            OutputStream toProgram = connection.output();
            toProgram.write(head);
            Thread upstream = Thread.ofVirtual().name("preview-up").start(() -> {
                try {
                    in.transferTo(toProgram);
                } catch (IOException e) {
                    // the browser or the relay went
                } finally {
                    try {
                        toProgram.close();
                    } catch (IOException ignored) {
                        // the relay went
                    }
                }
            });
            try {
                connection.input().transferTo(out);
            } finally {
                try {
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // already gone
                }
                // Closing the socket ends the thread reading the browser. Never an interrupt: a thread interrupted
                // while it writes to the relay's channel would close the channel, and every connection with it.
                client.close();
            }
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        return null;
    }

    private static void answer(OutputStream out, int status, String title, String text) throws IOException {
        String body = "<!doctype html><meta charset=utf-8><title>" + title + "</title>"
                + "<body style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem\">"
                + "<h1>" + title + "</h1><p>" + text + "</p><p style=\"color:#666\">ContainerLease preview</p>";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n")
                .append("Content-Type: text/html; charset=utf-8\r\n")
                .append("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n")
                .append("Cache-Control: no-store\r\n")
                .append("Content-Length: ")
                .append(bytes.length)
                .append("\r\n")
                .append("Connection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 410 -> "Gone";
            case 502 -> "Bad Gateway";
            default -> "Error";
        };
    }

    /** A request's head, as much of it as the gateway reads. */
    record Request(String method, String target, List<String[]> headers, String firstLine) {
        static Request parse(byte[] head) {
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\r\n");
            String[] first = lines[0].split(" ");
            if (first.length != 3 || !first[2].startsWith("HTTP/1.") || !first[1].startsWith("/")) {
                return null;
            }
            List<String[]> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {
                        lines[i].substring(0, colon),
                        lines[i].substring(colon + 1).trim()
                    });
                }
            }
            return new Request(first[0], first[1], headers, lines[0]);
        }

        String header(String name) {
            return headers.stream()
                    .filter(h -> h[0].equalsIgnoreCase(name))
                    .map(h -> h[1])
                    .findFirst()
                    .orElse(null);
        }

        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        Optional<String> query(String name) {
            int q = target.indexOf('?');
            if (q < 0) {
                return Optional.empty();
            }
            for (String pair : target.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals(name)) {
                    try {
                        return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.empty();
        }

        Optional<String> cookie(String name) {
            for (String[] h : headers) {
                if (!h[0].equalsIgnoreCase("cookie")) {
                    continue;
                }
                for (String part : h[1].split(";")) {
                    String trimmed = part.trim();
                    if (trimmed.startsWith(name + "=")) {
                        return Optional.of(trimmed.substring(name.length() + 1));
                    }
                }
            }
            return Optional.empty();
        }

        /** The head as the program gets it: our cookie taken out (the program is the tenant's). */
        byte[] withoutCookie(String name) {
            StringBuilder out = new StringBuilder(firstLine).append("\r\n");
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase("cookie")) {
                    String rest = java.util.Arrays.stream(h[1].split(";"))
                            .map(String::trim)
                            .filter(p -> !p.startsWith(name + "="))
                            .collect(java.util.stream.Collectors.joining("; "));
                    if (!rest.isEmpty()) {
                        out.append(h[0]).append(": ").append(rest).append("\r\n");
                    }
                } else {
                    out.append(h[0]).append(": ").append(h[1]).append("\r\n");
                }
            }
            return out.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing either way
        }
        open.forEach(socket -> {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing either way
            }
        });
        log.info("preview server stopped {}", kv("port", server.getLocalPort()));
    }
}
