/*
 * containerlease-helper held: prints the deadline the container's PID 1 (our init) holds now, read from
 * its arguments, which it rewrites as the deadline moves. For engines without a process listing of
 * their own (Kubernetes runs it through exec); Docker reads the same arguments with `docker top`.
 */
#define _GNU_SOURCE
#include "helper.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Our init's arguments are short; a longer read is not ours (a command is never needed past the deadline). */
#define CMDLINE_MAX 4096

int held_main(void) {
    char cmdline[CMDLINE_MAX];
    int fd = open("/proc/1/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
    close(fd);
    if (n <= 0) return 1;
    cmdline[n] = '\0';
    /* Arguments are NUL-separated: PATH, "init", "--deadline", DIGITS, ... */
    const char *args[4];
    ssize_t at = 0;
    for (int i = 0; i < 4; i++) {
        if (at >= n) return 1;
        args[i] = cmdline + at;
        at += (ssize_t)strlen(cmdline + at) + 1;
    }
    if (strcmp(args[0], HELPER_PATH) != 0 || strcmp(args[1], "init") != 0 || strcmp(args[2], "--deadline") != 0) {
        return 1;
    }
    size_t digits = strlen(args[3]);
    if (digits == 0 || digits > 18 || strspn(args[3], "0123456789") != digits) return 1;
    printf("%s\n", args[3]);
    return 0;
}
