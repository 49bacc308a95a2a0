/* What the subcommands of containerlease-helper share. */
#ifndef CONTAINERLEASE_HELPER_H
#define CONTAINERLEASE_HELPER_H

#define PROTOCOL "containerlease-helper/1"

/* Relays the lease's message channel to the Unix socket at path (relay.c). */
int relay_unix(const char *path);

/* Runs as PID 1: the image's command under a deadline (init.c). argv[0] is the first argument after "init". */
int init_main(int argc, char **argv);

#endif
