/*
 * ws-echo PORT: a test program for previews, run inside a lease (static, no library but libc). On
 * GET / it serves a page whose script opens a WebSocket to /ws, sends a line and shows what comes
 * back; on /ws it speaks WebSocket (RFC 6455) and echoes every text or binary message. One
 * connection at a time per process (it forks for each), enough for a test. Built by the tests with
 * musl-gcc or gcc -static.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char PAGE[] =
    "<!doctype html><meta charset=utf-8><title>WebSocket echo</title>"
    "<body style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto\">"
    "<h1>WebSocket echo</h1><p id=state>connecting…</p><p id=echo></p>"
    "<script>const ws=new WebSocket((location.protocol==='https:'?'wss://':'ws://')+location.host+'/ws');"
    "ws.onopen=()=>{document.getElementById('state').textContent='open';ws.send('hello through the preview');};"
    "ws.onmessage=(e)=>{document.getElementById('echo').textContent='echo: '+e.data;};"
    "ws.onclose=()=>{document.getElementById('state').textContent='closed';};</script>";

/* SHA-1 (FIPS 180-1), for the handshake's accept key only. */
static void sha1(const unsigned char *data, size_t len, unsigned char out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t total = ((len + 8) / 64 + 1) * 64;
    unsigned char *msg = calloc(total, 1);
    memcpy(msg, data, len);
    msg[len] = 0x80;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) msg[total - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t off = 0; off < total; off += 64) {
        uint32_t w[80];
        for (int i = 0; i < 16; i++) {
            w[i] = (uint32_t)msg[off + 4 * i] << 24 | (uint32_t)msg[off + 4 * i + 1] << 16 |
                   (uint32_t)msg[off + 4 * i + 2] << 8 | msg[off + 4 * i + 3];
        }
        for (int i = 16; i < 80; i++) {
            uint32_t x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
            w[i] = x << 1 | x >> 31;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
            else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
            else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
            else f = b ^ c ^ d, k = 0xCA62C1D6;
            uint32_t t = (a << 5 | a >> 27) + f + e + k + w[i];
            e = d, d = c, c = b << 30 | b >> 2, b = a, a = t;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    }
    free(msg);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(h[i] >> 24), out[4 * i + 1] = (unsigned char)(h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(h[i] >> 8), out[4 * i + 3] = (unsigned char)h[i];
    }
}

static void base64(const unsigned char *in, size_t len, char *out) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
        out[o++] = table[v >> 18 & 63];
        out[o++] = table[v >> 12 & 63];
        out[o++] = i + 1 < len ? table[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? table[v & 63] : '=';
    }
    out[o] = '\0';
}

static int read_exact(int fd, unsigned char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = read(fd, buf, len);
        if (n <= 0) return 0;
        buf += n;
        len -= (size_t)n;
    }
    return 1;
}

static void write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) exit(0);
        p += n;
        len -= (size_t)n;
    }
}

static void echo_frames(int fd) {
    for (;;) {
        unsigned char head[2];
        if (!read_exact(fd, head, 2)) return;
        int opcode = head[0] & 0x0f;
        uint64_t len = head[1] & 0x7f;
        if (len == 126) {
            unsigned char ext[2];
            if (!read_exact(fd, ext, 2)) return;
            len = (uint64_t)ext[0] << 8 | ext[1];
        } else if (len == 127) {
            unsigned char ext[8];
            if (!read_exact(fd, ext, 8)) return;
            len = 0;
            for (int i = 0; i < 8; i++) len = len << 8 | ext[i];
        }
        if (len > (1u << 24)) return;
        unsigned char mask[4] = {0, 0, 0, 0};
        if ((head[1] & 0x80) && !read_exact(fd, mask, 4)) return;
        unsigned char *payload = malloc(len ? len : 1);
        if (!read_exact(fd, payload, len)) return;
        for (uint64_t i = 0; i < len; i++) payload[i] ^= mask[i % 4];
        unsigned char out[10];
        size_t out_len = 0;
        int reply = opcode == 9 ? 10 : opcode; /* a ping gets its pong; anything else comes back as it was */
        out[out_len++] = (unsigned char)(0x80 | reply);
        if (len < 126) {
            out[out_len++] = (unsigned char)len;
        } else if (len < 65536) {
            out[out_len++] = 126, out[out_len++] = (unsigned char)(len >> 8), out[out_len++] = (unsigned char)len;
        } else {
            out[out_len++] = 127;
            for (int i = 7; i >= 0; i--) out[out_len++] = (unsigned char)(len >> (8 * i));
        }
        write_all(fd, out, out_len);
        write_all(fd, payload, len);
        free(payload);
        if (opcode == 8) return;
    }
}

static void serve(int fd) {
    char head[8192];
    size_t got = 0;
    while (got < sizeof head - 1) {
        ssize_t n = read(fd, head + got, sizeof head - 1 - got);
        if (n <= 0) return;
        got += (size_t)n;
        head[got] = '\0';
        if (strstr(head, "\r\n\r\n")) break;
    }
    char *key = strcasestr(head, "Sec-WebSocket-Key:");
    if (strncmp(head, "GET /ws", 7) == 0 && key) {
        key += strlen("Sec-WebSocket-Key:");
        while (*key == ' ') key++;
        char joined[128];
        size_t k = strcspn(key, "\r\n");
        if (k > 60) return;
        snprintf(joined, sizeof joined, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)k, key);
        unsigned char digest[20];
        sha1((unsigned char *)joined, strlen(joined), digest);
        char accept[32];
        base64(digest, 20, accept);
        char answer[256];
        int n = snprintf(answer, sizeof answer,
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: %s\r\n\r\n",
                         accept);
        write_all(fd, answer, (size_t)n);
        echo_frames(fd);
        return;
    }
    char answer[256];
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     sizeof PAGE - 1);
    write_all(fd, answer, (size_t)n);
    write_all(fd, PAGE, sizeof PAGE - 1);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: ws-echo PORT\n");
        return 2;
    }
    signal(SIGCHLD, SIG_IGN);
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(server, (struct sockaddr *)&at, sizeof at) != 0 || listen(server, 16) != 0) {
        perror("ws-echo");
        return 1;
    }
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        if (fork() == 0) {
            close(server);
            serve(client);
            _exit(0);
        }
        close(client);
    }
}
