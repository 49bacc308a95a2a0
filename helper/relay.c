/*
 * relay-unix: the lease's message channel, between the service (stdin/stdout, framed) and the
 * program's Unix socket inside the container. Protocol: helper/PROTOCOL.md.
 */
#define _GNU_SOURCE
#include "helper.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* The largest message the service may send; a bigger length means a broken stream. */
#define MAX_MESSAGE (16u << 20)
#define FIRST_RETRY_MS 50
#define LAST_RETRY_MS 1000
/* A connection that lasted this long was a real one: the next failure retries quickly again. */
#define STABLE_MS 1000
/* How long the program may take to accept one message before its connection is ended. */
#define STALL_MS 5000

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The frame being read from the service: its header, then its payload. */
struct incoming {
    unsigned char header[5];
    size_t header_len;
    char *payload;
    size_t len, got;
};

/* The message being written to the program. */
struct outgoing {
    char *data;
    size_t len, off;
    uint64_t last_progress;
};

struct relay {
    struct sockaddr_un address;
    int sock;
    uint64_t connected_at, next_try;
    unsigned retry_ms;
    struct incoming in;
    struct outgoing out;
};

static void drop_outgoing(struct relay *r) {
    free(r->out.data);
    r->out.data = NULL;
    r->out.len = r->out.off = 0;
}

static void disconnect(struct relay *r, const char *reason) {
    close(r->sock);
    r->sock = -1;
    drop_outgoing(r);
    emit_text('D', reason);
    uint64_t now = now_ms();
    if (now - r->connected_at >= STABLE_MS) r->retry_ms = FIRST_RETRY_MS;
    r->next_try = now + r->retry_ms;
    r->retry_ms = r->retry_ms * 2 > LAST_RETRY_MS ? LAST_RETRY_MS : r->retry_ms * 2;
}

static void try_connect(struct relay *r) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&r->address, sizeof r->address) == 0) {
        r->sock = fd;
        r->connected_at = now_ms();
        emit('C', "", 0);
        return;
    }
    if (fd >= 0) close(fd);
    r->next_try = now_ms() + r->retry_ms;
    r->retry_ms = r->retry_ms * 2 > LAST_RETRY_MS ? LAST_RETRY_MS : r->retry_ms * 2;
}

/* Reads what is available of the service's next frame; returns 0 at the end of the input. */
static int read_input(struct relay *r) {
    struct incoming *in = &r->in;
    ssize_t n;
    if (in->header_len < 5) {
        n = read(STDIN_FILENO, in->header + in->header_len, 5 - in->header_len);
        if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
        in->header_len += (size_t)n;
        if (in->header_len < 5) return 1;
        in->len = (size_t)in->header[1] << 24 | (size_t)in->header[2] << 16 | (size_t)in->header[3] << 8 | in->header[4];
        if (in->len > MAX_MESSAGE) {
            fprintf(stderr, "containerlease-helper: a frame of %zu bytes is over the limit\n", in->len);
            exit(1);
        }
        in->payload = malloc(in->len ? in->len : 1);
        if (!in->payload) exit(1);
        in->got = 0;
    }
    if (in->got < in->len) {
        n = read(STDIN_FILENO, in->payload + in->got, in->len - in->got);
        if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
        in->got += (size_t)n;
        if (in->got < in->len) return 1;
    }
    /* A whole frame: a message goes to the program when it is connected; anything else is skipped. */
    if (in->header[0] == 'M' && r->sock >= 0 && in->len > 0) {
        r->out.data = in->payload;
        r->out.len = in->len;
        r->out.off = 0;
        r->out.last_progress = now_ms();
    } else {
        free(in->payload);
    }
    in->payload = NULL;
    in->header_len = 0;
    return 1;
}

static void write_outgoing(struct relay *r) {
    ssize_t n = send(r->sock, r->out.data + r->out.off, r->out.len - r->out.off, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) disconnect(r, "the connection broke");
        return;
    }
    r->out.off += (size_t)n;
    r->out.last_progress = now_ms();
    if (r->out.off == r->out.len) drop_outgoing(r);
}

static void read_program(struct relay *r) {
    static char buf[CHUNK];
    ssize_t n = read(r->sock, buf, sizeof buf);
    if (n > 0) {
        emit('M', buf, (size_t)n);
    } else if (n == 0) {
        disconnect(r, "the program closed its end");
    } else if (errno != EAGAIN && errno != EINTR) {
        disconnect(r, "the connection broke");
    }
}

int relay_unix(const char *path) {
    struct relay r;
    memset(&r, 0, sizeof r);
    r.sock = -1;
    r.retry_ms = FIRST_RETRY_MS;
    r.address.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof r.address.sun_path) {
        fprintf(stderr, "containerlease-helper: the socket path is too long\n");
        return 2;
    }
    strcpy(r.address.sun_path, path);
    emit_text('H', PROTOCOL);
    for (;;) {
        uint64_t now = now_ms();
        if (r.sock < 0 && now >= r.next_try) {
            try_connect(&r);
            now = now_ms();
        }
        struct pollfd fds[2] = {
            {.fd = STDIN_FILENO, .events = r.out.data ? 0 : POLLIN},
            {.fd = r.sock, .events = POLLIN | (r.out.data ? POLLOUT : 0)},
        };
        int timeout = -1;
        if (r.sock < 0) {
            timeout = r.next_try > now ? (int)(r.next_try - now) : 0;
        } else if (r.out.data) {
            uint64_t stall_at = r.out.last_progress + STALL_MS;
            timeout = stall_at > now ? (int)(stall_at - now) : 0;
        }
        if (poll(fds, 2, timeout) < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        if (fds[0].revents) {
            /* Not asked for input while a message is written: only a hang-up shows, the service is gone. */
            if (r.out.data || !read_input(&r)) return 0;
        }
        if (r.sock >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) read_program(&r);
        if (r.sock >= 0 && r.out.data && (fds[1].revents & POLLOUT)) write_outgoing(&r);
        if (r.sock >= 0 && r.out.data && now_ms() - r.out.last_progress >= STALL_MS) {
            disconnect(&r, "the program stopped reading its channel");
        }
    }
}
