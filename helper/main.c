/*
 * containerlease-helper: ContainerLease's own program inside lease containers, one static binary
 * with subcommands. What it does and the protocol it speaks: helper/PROTOCOL.md.
 */
#define _GNU_SOURCE
#include "helper.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

static int usage(void) {
    fprintf(stderr, "usage: containerlease-helper version\n"
                    "       containerlease-helper relay-unix SOCKET_PATH\n"
                    "       containerlease-helper relay-tcp PORT\n"
                    "       containerlease-helper held\n"
                    "       containerlease-helper files get|list|put|extract|remove|mkdir PATH [LIMITS...]\n"
                    "       containerlease-helper init [--deadline EPOCH_SECONDS] [--grace SECONDS] -- COMMAND [ARG...]\n");
    return 2;
}

int main(int argc, char **argv) {
    /* Another process of the container's user may not read this one's memory or trace it. */
    prctl(PR_SET_DUMPABLE, 0);
    if (argc >= 2 && strcmp(argv[1], "init") == 0) return init_main(argc - 2, argv + 2);
    signal(SIGPIPE, SIG_IGN);
    if (argc == 2 && strcmp(argv[1], "version") == 0) {
        puts(PROTOCOL);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "relay-unix") == 0) return relay_unix(argv[2]);
    if (argc == 3 && strcmp(argv[1], "relay-tcp") == 0) return relay_tcp(argv[2]);
    if (argc == 2 && strcmp(argv[1], "held") == 0) return held_main();
    if (argc >= 4 && strcmp(argv[1], "files") == 0) {
        int status = files_main(argc - 2, argv + 2);
        if (status != 2) return status;
    }
    return usage();
}
