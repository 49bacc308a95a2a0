/*
 * init: PID 1 of a lease's container. Starts the image's own command, forwards signals to it, reaps
 * every zombie, and holds an absolute deadline: at the deadline every process of the container is
 * sent TERM, and after a short grace the helper exits 0, which ends whatever is left (the kernel kills
 * every process of a PID namespace whose init exits) and which no on-failure restart policy revives.
 * Modelled on what tini does (read, not copied); see helper/PROTOCOL.md.
 *
 * What a tenant inside cannot do to it: SIGKILL and SIGSTOP sent from inside the namespace never
 * reach its init, other signals only reach it as signals to forward; it is not dumpable, so without
 * CAP_SYS_PTRACE (every capability is dropped) no process can trace it or read its memory or
 * environment; its binary is on a read-only volume; the deadline is in its arguments, not in a file.
 *
 * The deadline in its arguments is a cap (the lease's hard cap: what must hold at any start, since a
 * restarted container runs its creation arguments again). The service tightens it while the container
 * runs by writing "deadline EPOCH" lines to this process's standard input through the engine's attach:
 * no process of the container holds that pipe (the command gets /dev/null) and none may open it through
 * /proc/1/fd (not dumpable, no CAP_SYS_PTRACE). A line never moves the deadline past the cap. The
 * deadline in force is written over the argument, so /proc/1/cmdline and `docker top` show it.
 */
#define _GNU_SOURCE
#include "helper.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long processes have between TERM at the deadline and the end of the container. */
#define DEFAULT_GRACE_SECONDS 5
/* The longest line the service writes ("deadline " and the digits); longer ones are dropped whole. */
#define CONTROL_LINE_MAX 64

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_seconds(const char *text, long long *out) {
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || end == text || *end || value < 0) return 0;
    *out = value;
    return 1;
}

/* The exit status a shell would give for how the child ended. */
static int status_of(int wait_status) {
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return 1;
}

/*
 * TERM to every process of the container: as PID 1 of its namespace, kill(-1) reaches exactly those.
 * Anywhere else (a test on a host) kill(-1) would reach every process the user may signal on the
 * machine, so there only the command's own process group is told.
 */
static void terminate_all(pid_t child) {
    if (getpid() == 1) {
        kill(-1, SIGTERM);
    } else {
        kill(-child, SIGTERM);
    }
}

static pid_t start(char **command, const sigset_t *parent_mask, int own_input) {
    pid_t child = fork();
    if (child < 0) {
        perror("containerlease-helper init: fork");
        exit(1);
    }
    if (child == 0) {
        if (getppid() != 1) setpgid(0, 0); /* not PID 1 (a test): a group of its own, what the deadline ends */
        /* The command gets the signal handling an ordinary process has. */
        for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, parent_mask, NULL);
        if (own_input) {
            /* The service's control input is this process's alone: the command reads nothing from it. */
            int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (null < 0 || dup2(null, 0) < 0) _exit(126);
        }
        execvp(command[0], command);
        fprintf(stderr, "containerlease-helper init: cannot run %s: %s\n", command[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    if (getpid() != 1) setpgid(child, child); /* as the child does: whichever runs first */
    return child;
}

/* The service's control input: a line being read, and whether it already ran past CONTROL_LINE_MAX. */
struct control {
    char line[CONTROL_LINE_MAX];
    size_t used;
    int overlong;
};

/* Writes the deadline in force over its argument (zero-padded to the same width, which never grows: the cap is the largest). */
static void show_deadline(char *argument, long long deadline) {
    size_t width = strlen(argument);
    char text[32];
    int n = snprintf(text, sizeof text, "%0*lld", (int)width, deadline);
    if (n == (int)width) memcpy(argument, text, width);
}

/* One whole line of the service's: "deadline EPOCH" moves the deadline, never past the cap; anything else is ignored. */
static void apply_line(const char *line, long long cap, long long *deadline, char *shown) {
    long long wanted;
    if (strncmp(line, "deadline ", 9) != 0 || !parse_seconds(line + 9, &wanted)) return;
    *deadline = wanted < cap ? wanted : cap;
    show_deadline(shown, *deadline);
}

/* Reads what the input has; returns 0 once it ended (the engine closed it, or it never was a pipe). */
static int read_control(int fd, struct control *c, long long cap, long long *deadline, char *shown) {
    char buffer[256];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return 0;
    for (ssize_t k = 0; k < n; k++) {
        if (buffer[k] == '\n') {
            if (!c->overlong) {
                c->line[c->used] = 0;
                apply_line(c->line, cap, deadline, shown);
            }
            c->used = 0;
            c->overlong = 0;
        } else if (c->used < CONTROL_LINE_MAX - 1) {
            c->line[c->used++] = buffer[k];
        } else {
            c->overlong = 1;
        }
    }
    return 1;
}

int init_main(int argc, char **argv) {
    long long deadline = -1, grace = DEFAULT_GRACE_SECONDS;
    char *shown = NULL; /* the deadline's argument, rewritten as the deadline moves */
    int i = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "--deadline") == 0 && i + 1 < argc && parse_seconds(argv[i + 1], &deadline)) {
            shown = argv[++i];
        } else if (strcmp(argv[i], "--grace") == 0 && i + 1 < argc && parse_seconds(argv[i + 1], &grace)) {
            i++;
        } else {
            fprintf(stderr, "containerlease-helper init: unknown or malformed option %s\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "containerlease-helper init: no command after --\n");
        return 2;
    }
    /* Past its deadline already (a container started again after it): nothing is started. */
    if (deadline >= 0 && now_seconds() >= (double)deadline) return 0;

    /* Where this is not PID 1 (a test), orphans still come back to it. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    sigset_t all, parent_mask;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &parent_mask);
    const long long cap = deadline;
    int input = deadline >= 0 ? 0 : -1; /* only a deadline can be moved: without one the input is the command's */
    pid_t child = start(argv + i, &parent_mask, input >= 0);
    int signals = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals < 0) {
        perror("containerlease-helper init: signalfd");
        kill(child, SIGKILL);
        return 1;
    }
    struct control control = {.used = 0, .overlong = 0};

    int child_status = -1;
    double ending_at = -1; /* once the deadline passed: when the grace ends */
    for (;;) {
        double now = now_seconds();
        if (deadline >= 0 && ending_at < 0 && now >= (double)deadline) {
            fprintf(stderr, "containerlease-helper init: the lease's deadline has passed; ending the container\n");
            terminate_all(child);
            ending_at = now + (double)grace;
        }
        if (ending_at >= 0 && now >= ending_at) return 0;

        double wake = ending_at >= 0 ? ending_at : deadline >= 0 ? (double)deadline : now + 3600;
        double wait = wake - now;
        if (wait > 60) wait = 60;
        if (wait < 0.001) wait = 0.001;
        struct pollfd ready[2] = {{.fd = signals, .events = POLLIN}, {.fd = input, .events = POLLIN}};
        if (poll(ready, input >= 0 ? 2 : 1, (int)(wait * 1000) + 1) <= 0) continue; /* timed out: the clock again */
        if (input >= 0 && ready[1].revents) {
            if (ending_at >= 0) {
                /* The end has begun: what the service says now changes nothing, and is not read. */
                input = -1;
            } else if (!read_control(input, &control, cap, &deadline, shown)) {
                input = -1; /* ended: the deadline in force stays */
            }
        }
        if (!(ready[0].revents & POLLIN)) continue;
        struct signalfd_siginfo info;
        while (read(signals, &info, sizeof info) == (ssize_t)sizeof info) {
            int sig = (int)info.ssi_signo;
            if (sig == SIGCHLD) {
                int status;
                pid_t reaped;
                while ((reaped = waitpid(-1, &status, WNOHANG)) > 0) {
                    if (reaped == child) child_status = status_of(status);
                }
                if (child_status >= 0) return ending_at >= 0 ? 0 : child_status;
            } else if (child_status < 0 && ending_at < 0) {
                kill(child, sig); /* docker stop's TERM, a tenant's HUP: all go to the image's command */
            }
        }
    }
}
