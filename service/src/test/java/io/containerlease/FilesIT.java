package io.containerlease;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.ManagedLabels;
import io.containerlease.support.ApiClient;
import io.containerlease.support.ServerProcess;
import io.containerlease.support.TestDocker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files in and out of a lease on the real engine, through a server whose heap is far smaller than
 * the largest file moved (so a transfer held whole in memory ends it): sizes from 0 B to 200 MiB
 * byte-exact both ways, directories as tars, hostile paths and archives kept inside the container
 * (and changing nothing when refused), the container's user owning what is written, and the
 * limits.
 */
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesIT {
    /** The server's heap: a 200 MiB file cannot pass through it whole. */
    private static final String HEAP = "-Xmx96m";

    private static final long LIMIT = 210L << 20;
    private static final String CATALOG = """
            images:
              busybox:
                image: containerlease/busybox:latest
                command: ["sleep", "inf"]
                pullPolicy: never
              nobody:
                image: containerlease/busybox:latest
                command: ["sleep", "inf"]
                user: "65534:65534"
                pullPolicy: never
            """;

    @TempDir
    static Path dir;

    private ServerProcess server;
    private ApiClient api;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws IOException {
        Path catalog = Files.writeString(dir.resolve("catalog.yaml"), CATALOG);
        server = ServerProcess.start(
                dir.resolve("data"),
                Map.of("IMAGE_CATALOG", catalog.toString(), "FILES_MAX_BYTES", Long.toString(LIMIT)),
                List.of(HEAP));
        server.awaitReady(Duration.ofSeconds(60));
        api = new ApiClient(server.baseUrl());
    }

    @AfterAll
    void stop() {
        String instance = server.instanceId();
        server.close();
        TestDocker.removeAllOf(instance);
    }

    private String provision(String type) {
        ApiClient.Response created =
                api.post("/api/provision", "{\"imageType\":\"" + type + "\",\"durationMinutes\":10}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private String container(String id) {
        return ManagedLabels.containerName(new LeaseId(id));
    }

    private URI files(String id, String suffix, String path, String more) {
        return URI.create(server.baseUrl() + "/api/containers/" + id + "/files" + suffix + "?path="
                + URLEncoder.encode(path, StandardCharsets.UTF_8) + more);
    }

    private HttpResponse<String> put(String id, String path, HttpRequest.BodyPublisher body, String more, String type)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(files(id, "", path, more))
                        .header("Content-Type", type)
                        .PUT(body)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(String id, String path, String more) throws Exception {
        return http.send(
                HttpRequest.newBuilder(files(id, "", path, more)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode list(String id, String path) {
        ApiClient.Response listed = api.get(
                "/api/containers/" + id + "/files/list?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        return listed.json();
    }

    private static List<String> names(JsonNode listing) {
        List<String> names = new ArrayList<>();
        listing.get("entries").forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    @Test
    void filesOfZeroOneMebibyteAndTwoHundredMebibytesGoInAndOutByteExactThroughASmallHeap() throws Exception {
        String id = provision("busybox");
        for (long size : new long[] {0, 1 << 20, 200L << 20}) {
            Path local = dir.resolve("in-" + size);
            writeRandom(local, size, size);
            HttpResponse<String> up =
                    put(id, "/tmp/f-" + size, HttpRequest.BodyPublishers.ofFile(local), "", "application/octet-stream");
            assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
            assertThat(up.body()).contains("\"bytes\":" + size);

            Path back = dir.resolve("out-" + size);
            HttpResponse<Path> down = http.send(
                    HttpRequest.newBuilder(files(id, "", "/tmp/f-" + size, "")).build(),
                    HttpResponse.BodyHandlers.ofFile(back));
            assertThat(down.statusCode()).isEqualTo(200);
            assertThat(down.headers().firstValueAsLong("Content-Length")).hasValue(size);
            assertThat(down.headers().firstValue("Content-Disposition"))
                    .hasValue("attachment; filename=\"f-" + size + "\"; filename*=UTF-8''f-" + size);
            assertThat(Files.mismatch(local, back))
                    .as("bytes of the %d-byte file", size)
                    .isEqualTo(-1L);
            Files.delete(back);
        }
        // The server came through with its small heap: a transfer held whole in memory would have ended it.
        assertThat(api.get("/healthz").status()).isEqualTo(200);
        assertThat(TestDocker.exec(
                        container(id), "cmp /tmp/f-1048576 /tmp/f-1048576 && echo ok", Duration.ofSeconds(10)))
                .contains("ok");
    }

    @Test
    void aDirectoryComesOutAsATarUnderItsOwnNameAndATarGoesInMergedIntoOne() throws Exception {
        String id = provision("busybox");
        TestDocker.exec(
                container(id),
                "mkdir -p /tmp/proj/src && printf 'one' > /tmp/proj/src/a.txt && ln -s src/a.txt /tmp/proj/link"
                        + " && mkfifo /tmp/proj/fifo",
                Duration.ofSeconds(10));
        HttpResponse<byte[]> tar = get(id, "/tmp/proj", "");
        assertThat(tar.statusCode()).isEqualTo(200);
        assertThat(tar.headers().firstValue("Content-Type")).hasValue("application/x-tar");
        Map<String, TarArchiveEntry> entries = new java.util.TreeMap<>();
        Map<String, String> contents = new java.util.HashMap<>();
        try (var in = new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar.body()))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), e);
                contents.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        // The FIFO is left out: its bytes are not a file's.
        assertThat(entries.keySet()).containsExactly("proj/", "proj/link", "proj/src/", "proj/src/a.txt");
        assertThat(contents.get("proj/src/a.txt")).isEqualTo("one");
        assertThat(entries.get("proj/link").getLinkName()).isEqualTo("src/a.txt");

        byte[] upload = tarOf(List.of(
                new Entry("proj/src/b.txt", "two", null),
                new Entry("proj/src/a.txt", "ONE", null),
                new Entry("proj/new/deep.txt", "three", null)));
        HttpResponse<String> extracted =
                put(id, "/tmp", HttpRequest.BodyPublishers.ofByteArray(upload), "&extract=true", "application/x-tar");
        assertThat(extracted.statusCode()).as(extracted.body()).isEqualTo(201);
        assertThat(TestDocker.exec(
                        container(id),
                        "cat /tmp/proj/src/a.txt /tmp/proj/src/b.txt /tmp/proj/new/deep.txt; ls -A /tmp",
                        Duration.ofSeconds(10)))
                .isEqualTo("ONEtwothreeproj\n");
    }

    @Test
    void hostilePathsStayInsideTheContainer() throws Exception {
        String id = provision("busybox");
        String containerHost = TestDocker.exec(container(id), "hostname", Duration.ofSeconds(10))
                .trim();
        assertThat(containerHost)
                .isNotEqualTo(java.net.InetAddress.getLocalHost().getHostName());
        // Climbing with '..' from the working directory, an absolute path, and a tenant's symlink to /etc all read the
        // container's own /etc.
        TestDocker.exec(container(id), "ln -s /etc /tmp/etclink", Duration.ofSeconds(10));
        for (String path : List.of("../../../../../../etc/hostname", "/etc/hostname", "/tmp/etclink/hostname")) {
            HttpResponse<byte[]> read = get(id, path, "");
            assertThat(read.statusCode()).as(path).isEqualTo(200);
            assertThat(new String(read.body(), StandardCharsets.UTF_8).trim())
                    .as(path)
                    .isEqualTo(containerHost);
        }
        // Writing through the tenant's link writes the container's /etc, never the host's.
        String marker = "containerlease-files-it-" + System.nanoTime();
        HttpResponse<String> written = put(
                id,
                "/tmp/etclink/" + marker,
                HttpRequest.BodyPublishers.ofString("inside"),
                "",
                "application/octet-stream");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
        assertThat(Path.of("/etc", marker)).doesNotExist();
        assertThat(TestDocker.exec(container(id), "cat /etc/" + marker, Duration.ofSeconds(10)))
                .isEqualTo("inside");
        // Removing the link removes the link, not /etc.
        assertThat(http.send(
                                HttpRequest.newBuilder(files(id, "", "/tmp/etclink", ""))
                                        .DELETE()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(204);
        assertThat(names(list(id, "/etc"))).contains("hostname", marker);
        assertThat(names(list(id, "/tmp"))).doesNotContain("etclink");
    }

    @Test
    void hostileArchivesAreRefusedAndChangeNothing() throws Exception {
        String id = provision("busybox");
        TestDocker.exec(container(id), "mkdir -p /tmp/target && echo kept > /tmp/target/kept", Duration.ofSeconds(10));
        List<List<Entry>> hostile = List.of(
                List.of(new Entry("ok.txt", "x", null), new Entry("../escape.txt", "x", null)),
                List.of(new Entry("/abs.txt", "x", null)),
                List.of(new Entry("up", null, "../../etc")),
                List.of(new Entry("d", null, "."), new Entry("d/d/e", null, "../../etc")),
                List.of(new Entry("etc", null, "/etc")));
        for (List<Entry> archive : hostile) {
            HttpResponse<String> refused = put(
                    id,
                    "/tmp/target",
                    HttpRequest.BodyPublishers.ofByteArray(tarOf(archive)),
                    "&extract=true",
                    "application/x-tar");
            assertThat(refused.statusCode()).as(archive.toString()).isEqualTo(400);
            assertThat(refused.body()).contains("invalid_archive");
        }
        // Not a byte of any of them landed, and no work in progress is left behind.
        assertThat(TestDocker.exec(container(id), "ls -A /tmp/target /tmp", Duration.ofSeconds(10)))
                .isEqualTo("/tmp:\ntarget\n\n/tmp/target:\nkept\n");
        assertThat(Path.of("/tmp/escape.txt")).doesNotExist();
    }

    @Test
    void whatIsWrittenBelongsToTheContainersUser() throws Exception {
        String id = provision("nobody");
        HttpResponse<String> written =
                put(id, "/tmp/mine.txt", HttpRequest.BodyPublishers.ofString("hi"), "", "application/octet-stream");
        assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
        assertThat(TestDocker.exec(container(id), "stat -c '%u:%g %a' /tmp/mine.txt", Duration.ofSeconds(10)))
                .isEqualTo("65534:65534 644\n");
        // The container's own permissions refuse what its user may not do.
        HttpResponse<String> refused =
                put(id, "/etc/passwd", HttpRequest.BodyPublishers.ofString("x"), "", "application/octet-stream");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(refused.body()).contains("permission_denied");
    }

    @Test
    void anUploadOverTheLimitIsRefusedAndLeavesNothing() throws Exception {
        String id = provision("busybox");
        // Declared too large: refused before a byte is read (sent by hand: a client library will not declare more than
        // it sends).
        var raw = new io.containerlease.support.RawHttp("127.0.0.1", server.port);
        var declared = raw.send(
                "PUT",
                "/api/containers/" + id + "/files?path=/tmp/huge",
                Map.of("Content-Length", Long.toString(LIMIT + 1)),
                "application/octet-stream",
                null);
        assertThat(declared.status()).isEqualTo(413);
        // Streamed without a length: cut off once over the limit, and the part written is removed.
        HttpResponse<String> streamed = put(
                id,
                "/tmp/huge",
                HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(LIMIT + (1 << 20))),
                "",
                "application/octet-stream");
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(413);
        assertThat(streamed.body()).contains("payload_too_large");
        assertThat(TestDocker.exec(container(id), "ls -A /tmp", Duration.ofSeconds(10)))
                .isEmpty();
    }

    @Test
    void mistakesAreClearErrors() throws Exception {
        String id = provision("busybox");
        assertThat(get(id, "/no/such/file", "").statusCode()).isEqualTo(404);
        HttpResponse<String> directory =
                put(id, "/tmp", HttpRequest.BodyPublishers.ofString("x"), "", "application/octet-stream");
        assertThat(directory.statusCode()).isEqualTo(409);
        assertThat(directory.body()).contains("is_a_directory");
        HttpResponse<byte[]> device = get(id, "/dev/zero", "");
        assertThat(device.statusCode()).isEqualTo(409);
        assertThat(api.get("/api/containers/" + id + "/files/list").status()).isEqualTo(400);
        ApiClient.Response made = api.post("/api/containers/" + id + "/files/directories?path=/tmp/a/b", "");
        assertThat(made.status()).isEqualTo(201);
        assertThat(api.post("/api/containers/" + id + "/files/directories?path=/tmp/a/b", "")
                        .status())
                .isEqualTo(409);
        assertThat(names(list(id, "/tmp/a"))).containsExactly("b");
        HttpResponse<String> root = http.send(
                HttpRequest.newBuilder(files(id, "", "/", "")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(root.statusCode()).as("removing /").isEqualTo(400);
        assertThat(root.body()).contains("invalid_path");
        HttpResponse<String> notTar =
                put(id, "/tmp", HttpRequest.BodyPublishers.ofString("x"), "&extract=true", "application/octet-stream");
        assertThat(notTar.statusCode()).isEqualTo(415);
        ApiClient.Response stopped = api.post("/api/containers/" + id + "/stop", "");
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
        ApiClient.Response whileStopped = api.get("/api/containers/" + id + "/files/list?path=/tmp");
        assertThat(whileStopped.status()).isEqualTo(409);
        assertThat(whileStopped.body()).contains("container_not_running");
        assertThat(api.get("/api/containers/01m8zntejtce9b5dx98s64h0db/files/list?path=/")
                        .status())
                .isEqualTo(404);
    }

    record Entry(String name, String content, String linkTarget) {}

    private static byte[] tarOf(List<Entry> entries) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry entry : entries) {
                if (entry.linkTarget() != null) {
                    var link = new TarArchiveEntry(entry.name(), TarConstants.LF_SYMLINK);
                    link.setLinkName(entry.linkTarget());
                    tar.putArchiveEntry(link);
                } else {
                    byte[] bytes = entry.content().getBytes(StandardCharsets.UTF_8);
                    var file = new TarArchiveEntry(entry.name(), true);
                    file.setSize(bytes.length);
                    tar.putArchiveEntry(file);
                    tar.write(bytes);
                }
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private static void writeRandom(Path file, long size, long seed) throws IOException {
        var random = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }

    /** {@code size} zero bytes, made as they are read. */
    private static final class Zeros extends InputStream {
        private long left;

        Zeros(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
