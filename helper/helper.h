/* What the subcommands of containerlease-helper share. */
#ifndef CONTAINERLEASE_HELPER_H
#define CONTAINERLEASE_HELPER_H

#define PROTOCOL "containerlease-helper/1"

/* Where the service delivers the helper in every container (HelperBinary.PATH on the service's side). */
#define HELPER_PATH "/.containerlease/containerlease-helper"

#include <stddef.h>

/* The most bytes one frame to the service carries. */
#define CHUNK 65536

/* Writes all of buf to fd; exits when the service's end is gone (frames.c). */
void write_all(int fd, const void *buf, size_t len);

/* One frame to the service on standard output: type, length (big-endian), payload (frames.c). */
void emit(char type, const void *payload, size_t len);
void emit_text(char type, const char *text);

/*
 * Reads one frame of at most max payload bytes from standard input: 1 when read, 0 at the end of the
 * input (or a frame cut short), -1 when it is longer than max (frames.c).
 */
int read_frame(char *type, char *payload, size_t max, size_t *len);

/* Relays TCP connections to a port on the container's loopback (tcp.c). */
int relay_tcp(const char *port);

/* Files in and out of the container for the service (files.c). argv[0] is the first argument after "files". */
int files_main(int argc, char **argv);

/* Relays the lease's message channel to the Unix socket at path (relay.c). */
int relay_unix(const char *path);

/* Runs as PID 1: the image's command under a deadline (init.c). argv[0] is the first argument after "init". */
int init_main(int argc, char **argv);

/* Prints the deadline PID 1 holds, from its arguments; 1 when PID 1 is not our init with one (held.c). */
int held_main(void);

#endif
