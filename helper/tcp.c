/*
 * relay-tcp PORT: many TCP connections to a port inside the container (the container's own loopback:
 * a lease runs without a network), carried over the one stream the service holds (the engine's exec),
 * as kubectl port-forward carries them. Each connection has a window in each direction, so one slow
 * reader never stalls the others and the relay holds at most a window of each connection's bytes.
 * Protocol: helper/PROTOCOL.md.
 */
#define _GNU_SOURCE
#include "helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNECTIONS 256
/* The most bytes of one connection either side may have on the way unacknowledged. */
#define WINDOW (256u * 1024u)
/* The largest frame the service sends: a connection id and a chunk of data. */
#define MAX_FRAME (4 + CHUNK)

struct connection {
    uint32_t id;
    int fd;
    int connecting;
    int tried_v6;
    int app_ended;     /* the program closed its side: Z sent */
    int shut_pending;  /* the service's side ended (F): shut our write side once the buffer is out */
    uint32_t unacked;  /* bytes sent to the service it has not acknowledged */
    char *out;         /* bytes for the program, not yet written */
    size_t out_len, out_off;
};

static struct connection connections[MAX_CONNECTIONS];
static int port;

static void emit_for(char type, uint32_t id, const void *data, size_t len) {
    static char payload[4 + CHUNK];
    payload[0] = (char)(id >> 24);
    payload[1] = (char)(id >> 16);
    payload[2] = (char)(id >> 8);
    payload[3] = (char)id;
    if (len) memcpy(payload + 4, data, len);
    emit(type, payload, 4 + len);
}

static void emit_count(char type, uint32_t id, uint32_t count) {
    unsigned char bytes[4] = {(unsigned char)(count >> 24), (unsigned char)(count >> 16), (unsigned char)(count >> 8),
                              (unsigned char)count};
    emit_for(type, id, bytes, 4);
}

static struct connection *find(uint32_t id) {
    for (int i = 0; i < MAX_CONNECTIONS; i++) {
        if (connections[i].fd >= 0 && connections[i].id == id) return &connections[i];
    }
    return NULL;
}

static void forget(struct connection *c) {
    close(c->fd);
    free(c->out);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* Starts a connection to the port on loopback: IPv4 first, then IPv6 (a program listening on "localhost"). */
static int start_connect(struct connection *c, int v6) {
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int rc;
    if (v6) {
        struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        rc = connect(fd, (struct sockaddr *)&to, sizeof to);
    } else {
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = connect(fd, (struct sockaddr *)&to, sizeof to);
    }
    if (rc != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->connecting = 1;
    c->tried_v6 = v6;
    return 0;
}

static void open_connection(uint32_t id) {
    if (find(id)) return;
    for (int i = 0; i < MAX_CONNECTIONS; i++) {
        struct connection *c = &connections[i];
        if (c->fd >= 0) continue;
        c->id = id;
        if (start_connect(c, 0) != 0 && start_connect(c, 1) != 0) {
            emit_for('E', id, "nothing listens on that port", 28);
            memset(c, 0, sizeof *c);
            c->fd = -1;
        }
        return;
    }
    emit_for('E', id, "too many connections", 20);
}

/* A connect finished: connected, or (refused on IPv4) tried again on IPv6, or failed. */
static void finish_connect(struct connection *c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0) {
        c->connecting = 0;
        /* Requests go out in the pieces the service sent them: no waiting for a delayed ACK. */
        int on = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        emit_for('C', c->id, "", 0);
        return;
    }
    uint32_t id = c->id;
    close(c->fd);
    c->fd = -1;
    if (!c->tried_v6 && start_connect(c, 1) == 0) return;
    emit_for('E', id, "nothing listens on that port", 28);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static void flush_out(struct connection *c) {
    size_t before = c->out_off;
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            /* The program's side broke: it is told as an end. */
            if (!c->app_ended) emit_for('Z', c->id, "", 0);
            c->app_ended = 1;
            c->out_off = c->out_len;
            break;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off > before) emit_count('A', c->id, (uint32_t)(c->out_off - before));
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        if (c->shut_pending) {
            shutdown(c->fd, SHUT_WR);
            c->shut_pending = 0;
        }
    }
}

/* A frame to the service carries at most CHUNK bytes, the connection's id among them. */
#define DATA_PER_FRAME (CHUNK - 4)

static void read_program(struct connection *c) {
    static char buf[DATA_PER_FRAME];
    size_t room = WINDOW - c->unacked;
    ssize_t n = read(c->fd, buf, room < DATA_PER_FRAME ? room : DATA_PER_FRAME);
    if (n > 0) {
        c->unacked += (uint32_t)n;
        emit_for('R', c->id, buf, (size_t)n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        c->app_ended = 1;
        emit_for('Z', c->id, "", 0);
    }
}

static uint32_t read_u32(const char *p) {
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* One frame from the service. */
static void handle(char type, const char *payload, size_t len) {
    if (len < 4) return;
    uint32_t id = read_u32(payload);
    struct connection *c = find(id);
    if (type == 'O') {
        open_connection(id);
    } else if (type == 'W' && c) {
        size_t n = len - 4;
        if (c->out_len - c->out_off + n > WINDOW) {
            /* More than the window allows: not our service speaking; the connection ends. */
            emit_for('Z', id, "", 0);
            forget(c);
            return;
        }
        if (!c->out) c->out = malloc(WINDOW);
        if (!c->out) exit(1);
        if (c->out_off > 0) {
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        memcpy(c->out + c->out_len, payload + 4, n);
        c->out_len += n;
        if (!c->connecting) flush_out(c);
    } else if (type == 'F' && c) {
        c->shut_pending = 1;
        if (!c->connecting && c->out_len == c->out_off) {
            shutdown(c->fd, SHUT_WR);
            c->shut_pending = 0;
        }
    } else if (type == 'X' && c) {
        forget(c);
    } else if (type == 'A' && c && len >= 8) {
        uint32_t count = read_u32(payload + 4);
        c->unacked = count > c->unacked ? 0 : c->unacked - count;
    }
}

/* The frame being read from the service, as it arrives. */
static unsigned char in_header[5];
static size_t in_header_len, in_len, in_got;
static char in_payload[MAX_FRAME];

/* Reads a piece of the service's frames: 1 after progress, 2 when nothing more is there now, 0 at the end. */
static int read_service(void) {
    ssize_t n;
    if (in_header_len < 5) {
        n = read(STDIN_FILENO, in_header + in_header_len, 5 - in_header_len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 2;
        if (n <= 0) return 0;
        in_header_len += (size_t)n;
        if (in_header_len < 5) return 1;
        in_len = (size_t)in_header[1] << 24 | (size_t)in_header[2] << 16 | (size_t)in_header[3] << 8 | in_header[4];
        if (in_len > MAX_FRAME) {
            fprintf(stderr, "containerlease-helper: a frame of %zu bytes is over the limit\n", in_len);
            exit(1);
        }
        in_got = 0;
    }
    if (in_got < in_len) {
        n = read(STDIN_FILENO, in_payload + in_got, in_len - in_got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 2;
        if (n <= 0) return 0;
        in_got += (size_t)n;
        if (in_got < in_len) return 1;
    }
    handle((char)in_header[0], in_payload, in_len);
    in_header_len = 0;
    return 1;
}

int relay_tcp(const char *port_text) {
    char *end;
    long value = strtol(port_text, &end, 10);
    if (*end || value < 1 || value > 65535) {
        fprintf(stderr, "containerlease-helper: '%s' is not a port\n", port_text);
        return 2;
    }
    port = (int)value;
    for (int i = 0; i < MAX_CONNECTIONS; i++) connections[i].fd = -1;
    /* Input is read as it comes, every frame that is there, between the connections' turns. */
    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    emit_text('H', PROTOCOL);
    static struct pollfd fds[1 + MAX_CONNECTIONS];
    static struct connection *polled[1 + MAX_CONNECTIONS];
    for (;;) {
        int count = 0;
        fds[count++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            struct connection *c = &connections[i];
            if (c->fd < 0) continue;
            short events = 0;
            if (c->connecting || c->out_len > c->out_off) events |= POLLOUT;
            if (!c->connecting && !c->app_ended && c->unacked < WINDOW) events |= POLLIN;
            if (!events) continue;
            polled[count] = c;
            fds[count++] = (struct pollfd){.fd = c->fd, .events = events};
        }
        if (poll(fds, (nfds_t)count, -1) < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        for (int i = 1; i < count; i++) {
            struct connection *c = polled[i];
            if (c->fd != fds[i].fd || !fds[i].revents) continue;
            if (c->connecting) {
                finish_connect(c);
                continue;
            }
            if (fds[i].revents & POLLOUT) flush_out(c);
            if (c->fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && !c->app_ended) read_program(c);
        }
        /* Last: a frame may close a connection polled above. */
        if (fds[0].revents) {
            int got;
            while ((got = read_service()) == 1) {
            }
            if (got == 0) return 0;
        }
    }
}
