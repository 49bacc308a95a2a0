/* What the subcommands of containerlease-helper share. */
#ifndef CONTAINERLEASE_HELPER_H
#define CONTAINERLEASE_HELPER_H

#define PROTOCOL "containerlease-helper/1"

/* Where the service delivers the helper in every container (HelperBinary.PATH on the service's side). */
#define HELPER_PATH "/.containerlease/containerlease-helper"

/* Relays the lease's message channel to the Unix socket at path (relay.c). */
int relay_unix(const char *path);

/* Runs as PID 1: the image's command under a deadline (init.c). argv[0] is the first argument after "init". */
int init_main(int argc, char **argv);

/* Prints the deadline PID 1 holds, from its arguments; 1 when PID 1 is not our init with one (held.c). */
int held_main(void);

#endif
