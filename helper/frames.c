/*
 * The frames every streaming subcommand speaks with the service (helper/PROTOCOL.md): one type byte, the
 * payload's length as 4 bytes big-endian, the payload.
 */
#define _GNU_SOURCE
#include "helper.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            /* The service's end is gone: nothing is left to say to it (exit runs the atexit clean-ups). */
            exit(0);
        }
        p += n;
        len -= (size_t)n;
    }
}

void emit(char type, const void *payload, size_t len) {
    static char frame[5 + CHUNK];
    frame[0] = type;
    frame[1] = (char)(len >> 24);
    frame[2] = (char)(len >> 16);
    frame[3] = (char)(len >> 8);
    frame[4] = (char)len;
    if (len <= CHUNK) {
        if (len) memcpy(frame + 5, payload, len);
        write_all(STDOUT_FILENO, frame, 5 + len);
    } else {
        write_all(STDOUT_FILENO, frame, 5);
        write_all(STDOUT_FILENO, payload, len);
    }
}

void emit_text(char type, const char *text) { emit(type, text, strlen(text)); }

/* Reads exactly len bytes of standard input; 0 when it ended first. */
static int read_exact(void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(STDIN_FILENO, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

int read_frame(char *type, char *payload, size_t max, size_t *len) {
    unsigned char header[5];
    if (!read_exact(header, sizeof header)) return 0;
    *type = (char)header[0];
    *len = (size_t)header[1] << 24 | (size_t)header[2] << 16 | (size_t)header[3] << 8 | header[4];
    if (*len > max) return -1;
    return read_exact(payload, *len) ? 1 : 0;
}
