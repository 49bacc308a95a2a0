/*
 * files: files in and out of the container, for the service's files API. It runs as the container's own
 * user, inside its namespaces (started by the engine's exec), so every path it is given is resolved by
 * the container's own kernel view: a symlink a tenant made points into its own container, never the
 * host. Frames both ways (frames.c); what each operation says: helper/PROTOCOL.md.
 */
#define _GNU_SOURCE
#include "helper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define MAX_PATH 4096
/* Deeper trees are not walked further (a directory past it is sent empty). */
#define MAX_DEPTH 128
/* An entry frame: type, size, mode, mtime, path and link target, NUL-separated. */
#define MAX_ENTRY (MAX_PATH * 2 + 128)

/* Frames from the service carry at most this much: a chunk of data or one entry. */
#define MAX_IN (CHUNK > MAX_ENTRY ? CHUNK : MAX_ENTRY)

static const char *error_code(int err) {
    switch (err) {
    case ENOENT: return "not_found";
    case ENOTDIR: return "not_a_directory";
    case EISDIR: return "is_a_directory";
    case EACCES:
    case EPERM: return "permission_denied";
    case ENOSPC:
    case EDQUOT: return "no_space";
    case EROFS: return "read_only";
    case EEXIST:
    case ENOTEMPTY: return "exists";
    case ELOOP: return "too_many_links";
    case ENAMETOOLONG: return "name_too_long";
    case EBUSY: return "busy";
    default: return "failed";
    }
}

/* Says why the operation failed (code, then a detail for a person) and ends it; atexit clean-ups run. */
static _Noreturn void fail(const char *code, const char *detail) {
    char payload[512];
    size_t code_len = strlen(code);
    size_t detail_len = strnlen(detail, sizeof payload - code_len - 2);
    memcpy(payload, code, code_len);
    payload[code_len] = '\0';
    memcpy(payload + code_len + 1, detail, detail_len);
    emit('E', payload, code_len + 1 + detail_len);
    exit(1);
}

static _Noreturn void fail_errno(int err) { fail(error_code(err), strerror(err)); }

static char entry_type(mode_t mode) {
    if (S_ISREG(mode)) return 'f';
    if (S_ISDIR(mode)) return 'd';
    if (S_ISLNK(mode)) return 'l';
    return 'o';
}

/* One entry in a frame of the given type: type, size, mode (octal), mtime (Unix seconds), path, link target. */
static void send_entry_as(char frame, char type, const struct stat *st, const char *path, const char *target) {
    static char payload[MAX_ENTRY];
    int head = snprintf(payload, 128, "%c%c%lld%c%o%c%lld%c", type, 0, (long long)(type == 'f' ? st->st_size : 0), 0,
                        (unsigned)(st->st_mode & 07777), 0, (long long)st->st_mtime, 0);
    size_t path_len = strnlen(path, MAX_PATH);
    size_t target_len = strnlen(target, MAX_PATH);
    memcpy(payload + head, path, path_len);
    payload[head + path_len] = '\0';
    memcpy(payload + head + path_len + 1, target, target_len);
    emit(frame, payload, (size_t)head + path_len + 1 + target_len);
}

static void send_entry(char type, const struct stat *st, const char *path, const char *target) {
    send_entry_as('N', type, st, path, target);
}

/* The path as the container resolves it, for the service to show. */
static void send_resolved(const char *path) {
    char *resolved = realpath(path, NULL);
    if (resolved) {
        emit_text('P', resolved);
        free(resolved);
    }
}

/*
 * Exactly size bytes of fd as data frames: a file that shrank while it was read is padded with zeros,
 * one that grew is cut at its size (as GNU tar does), so the service's declared sizes always hold.
 */
static void send_data(int fd, uint64_t size) {
    static char buf[CHUNK];
    int ended = 0;
    while (size > 0) {
        size_t want = size < CHUNK ? (size_t)size : CHUNK;
        ssize_t n = 0;
        if (!ended) {
            n = read(fd, buf, want);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) ended = 1;
        }
        if (ended) {
            memset(buf, 0, want);
            n = (ssize_t)want;
        }
        emit('B', buf, (size_t)n);
        size -= (uint64_t)n;
    }
}

/* Kernel views no one means to download, not walked into (a single file in them may still be read). */
static int pseudo_filesystem(int fd) {
    struct statfs fs;
    if (fstatfs(fd, &fs) != 0) return 1;
    switch ((unsigned long)fs.f_type) {
    case 0x9fa0:     /* proc */
    case 0x62656572: /* sysfs */
    case 0x27e0eb:   /* cgroup */
    case 0x63677270: /* cgroup2 */
    case 0x1cd1:     /* devpts */
    case 0x64626720: /* debugfs */
    case 0x74726163: /* tracefs */
    case 0x73636673: /* securityfs */
        return 1;
    default:
        return 0;
    }
}

struct walk {
    int sending;
    uint64_t entries, bytes, max_entries, max_bytes;
    char path[MAX_PATH + 1];
};

static void over_limit(struct walk *w) {
    if (!w->sending && (w->entries > w->max_entries || w->bytes > w->max_bytes)) {
        fail("too_large", "the directory holds more than the service sends in one transfer");
    }
}

/*
 * Every entry under dirfd (closed here), depth first, without following a symlink: first counted
 * (to refuse a tree over the limits before anything is sent), then sent with each file's bytes.
 * Entries that cannot be read are left out.
 */
static void walk_dir(struct walk *w, int dirfd, size_t path_len, int depth) {
    DIR *dir = fdopendir(dirfd);
    if (!dir) {
        close(dirfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        size_t name_len = strlen(e->d_name);
        if (path_len + name_len + 1 > MAX_PATH) continue;
        struct stat st;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        size_t len = path_len;
        if (len) w->path[len++] = '/';
        memcpy(w->path + len, e->d_name, name_len + 1);
        len += name_len;
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0 && pseudo_filesystem(sub)) {
                close(sub);
                continue;
            }
            w->entries++;
            if (w->sending) send_entry('d', &st, w->path, "");
            if (sub >= 0 && depth < MAX_DEPTH) {
                walk_dir(w, sub, len, depth + 1);
            } else if (sub >= 0) {
                close(sub);
            }
        } else if (S_ISREG(st.st_mode)) {
            w->entries++;
            if (!w->sending) {
                w->bytes += (uint64_t)st.st_size;
            } else {
                int fd = openat(dirfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
                if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
                    send_entry('f', &st, w->path, "");
                    send_data(fd, (uint64_t)st.st_size);
                }
                if (fd >= 0) close(fd);
            }
        } else if (S_ISLNK(st.st_mode)) {
            char target[MAX_PATH + 1];
            ssize_t n = readlinkat(dirfd, e->d_name, target, MAX_PATH);
            if (n < 0) continue;
            target[n] = '\0';
            w->entries++;
            if (w->sending) send_entry('l', &st, w->path, target);
        }
        /* Devices, FIFOs and sockets are left out: their bytes are not a file's. */
        over_limit(w);
        w->path[path_len] = '\0';
    }
    closedir(dir);
}

/* get PATH MAX_BYTES MAX_ENTRIES: one file's bytes, or a directory's entries and bytes. */
static int files_get(const char *path, uint64_t max_bytes, uint64_t max_entries) {
    struct stat st;
    if (stat(path, &st) != 0) fail_errno(errno);
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        fail("not_a_regular_file", "a device, FIFO or socket has no file's bytes");
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) fail_errno(errno);
    if (fstat(fd, &st) != 0) fail_errno(errno);
    send_resolved(path);
    if (S_ISREG(st.st_mode)) {
        if ((uint64_t)st.st_size > max_bytes) fail("too_large", "the file is larger than one transfer may be");
        send_entry('f', &st, "", "");
        send_data(fd, (uint64_t)st.st_size);
    } else if (S_ISDIR(st.st_mode)) {
        struct walk w = {.max_entries = max_entries, .max_bytes = max_bytes};
        /* A walk of its own open directory: a dup would share the read position with the second walk. */
        walk_dir(&w, openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0, 0);
        char summary[64];
        int n = snprintf(summary, sizeof summary, "%llu%c%llu", (unsigned long long)w.entries, 0,
                         (unsigned long long)w.bytes);
        emit('S', summary, (size_t)n);
        send_entry('d', &st, "", "");
        memset(&w, 0, sizeof w);
        w.sending = 1;
        walk_dir(&w, fd, 0, 0);
    } else {
        fail("not_a_regular_file", "a device, FIFO or socket has no file's bytes");
    }
    emit('Z', "", 0);
    return 0;
}

/* list PATH MAX_ENTRIES: a directory's entries (a file's own), without following their links. */
static int files_list(const char *path, uint64_t max_entries) {
    struct stat st;
    if (stat(path, &st) != 0) fail_errno(errno);
    send_resolved(path);
    send_entry_as('I', entry_type(st.st_mode), &st, "", "");
    if (!S_ISDIR(st.st_mode)) {
        char copy[MAX_PATH + 1];
        snprintf(copy, sizeof copy, "%s", path);
        send_entry(entry_type(st.st_mode), &st, basename(copy), "");
        emit('Z', "", 0);
        return 0;
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail_errno(errno);
    DIR *dir = fdopendir(fd);
    if (!dir) fail_errno(errno);
    uint64_t count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (count++ == max_entries) {
            emit('T', "", 0);
            break;
        }
        char target[MAX_PATH + 1] = "";
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlinkat(fd, e->d_name, target, MAX_PATH);
            target[n < 0 ? 0 : n] = '\0';
        }
        send_entry(entry_type(st.st_mode), &st, e->d_name, target);
    }
    closedir(dir);
    emit('Z', "", 0);
    return 0;
}

/* Removes name under dirfd and everything below it, never following a symlink; 0 or an errno. */
static int remove_tree(int dirfd, const char *name, int depth) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
    if (!S_ISDIR(st.st_mode)) return unlinkat(dirfd, name, 0) == 0 ? 0 : errno;
    if (depth > MAX_DEPTH) return ENAMETOOLONG;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno;
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return errno;
    }
    int first = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        int err = remove_tree(fd, e->d_name, depth + 1);
        if (err && !first) first = err;
    }
    closedir(dir);
    if (first) return first;
    return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 ? 0 : errno;
}

/* Splits path into its directory (opened, following links: resolved in the container) and last name. */
static int open_parent(const char *path, char *base) {
    char copy[MAX_PATH + 1], copy2[MAX_PATH + 1];
    if (strlen(path) > MAX_PATH) fail("name_too_long", "the path is too long");
    strcpy(copy, path);
    strcpy(copy2, path);
    const char *name = basename(copy);
    if (strcmp(name, "/") == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        fail("no_entry", "the path names no entry of a directory");
    }
    strcpy(base, name);
    int fd = open(dirname(copy2), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail_errno(errno);
    return fd;
}

/* remove PATH: a file, a link (not what it points to) or a directory with everything in it. */
static int files_remove(const char *path) {
    char base[MAX_PATH + 1];
    int parent = open_parent(path, base);
    int err = remove_tree(parent, base, 0);
    if (err) fail_errno(err);
    emit('K', "", 0);
    return 0;
}

/* Makes path and its missing parents; an existing directory is fine when tolerate_existing. */
static int make_dirs(const char *path, mode_t mode, int tolerate_existing) {
    char copy[MAX_PATH + 1];
    if (strlen(path) > MAX_PATH) return ENAMETOOLONG;
    strcpy(copy, path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) return errno;
        *p = '/';
    }
    if (mkdir(copy, mode) == 0) return 0;
    int err = errno;
    struct stat st;
    if (err == EEXIST && stat(copy, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return ENOTDIR;
        return tolerate_existing ? 0 : EEXIST;
    }
    return err;
}

static int files_mkdir(const char *path) {
    int err = make_dirs(path, 0755, 0);
    if (err) fail_errno(err);
    emit('K', "", 0);
    return 0;
}

/* An upload's work in progress, removed by atexit unless it was committed. */
static int pending_dir = -1;
static char pending_name[64];
static int pending_is_tree;

static void remove_pending(void) {
    if (pending_dir < 0 || !pending_name[0]) return;
    if (pending_is_tree) {
        remove_tree(pending_dir, pending_name, 0);
    } else {
        unlinkat(pending_dir, pending_name, 0);
    }
}

/* A fresh name beside the target, made with O_EXCL/mkdir so it is never someone else's. */
static void make_pending(int dirfd, int tree) {
    struct timespec ts;
    for (int attempt = 0; attempt < 100; attempt++) {
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(pending_name, sizeof pending_name, ".containerlease-upload-%d-%ld-%d", (int)getpid(), ts.tv_nsec,
                 attempt);
        int made = tree ? mkdirat(dirfd, pending_name, 0700)
                        : openat(dirfd, pending_name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        if (made >= 0) {
            pending_dir = dirfd;
            pending_is_tree = tree;
            atexit(remove_pending);
            if (!tree) close(made);
            return;
        }
        if (errno != EEXIST) fail_errno(errno);
    }
    fail("failed", "could not make a temporary name");
}

/* Writes all of buf to a file; an errno when it could not. */
static int write_file(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static char frame_buf[MAX_IN + 1];

/* The next frame from the service; the input ending first ends the upload (atexit removes its work). */
static char next_frame(size_t *len) {
    char type;
    int got = read_frame(&type, frame_buf, MAX_IN, len);
    if (got == 0) exit(1);
    if (got < 0) fail("invalid", "a frame over the limit");
    frame_buf[*len] = '\0';
    return type;
}

/*
 * put PATH: data frames, then Z, become the file at PATH (through a link at PATH, as cp writes),
 * written beside it under a temporary name and renamed over it only once whole: a broken upload
 * changes nothing. A file that existed keeps its mode.
 */
static int files_put(const char *path) {
    char target[MAX_PATH + 1];
    char *resolved = realpath(path, NULL);
    if (resolved && strlen(resolved) <= MAX_PATH) {
        strcpy(target, resolved);
    } else if (strlen(path) <= MAX_PATH) {
        strcpy(target, path);
    } else {
        fail("name_too_long", "the path is too long");
    }
    free(resolved);
    mode_t mode = 0644;
    struct stat st;
    if (stat(target, &st) == 0) {
        if (S_ISDIR(st.st_mode)) fail("is_a_directory", "a directory is there");
        if (!S_ISREG(st.st_mode)) fail("not_a_regular_file", "a device, FIFO or socket is there");
        mode = st.st_mode & 0777;
    }
    char base[MAX_PATH + 1];
    int dirfd = open_parent(target, base);
    make_pending(dirfd, 0);
    int fd = openat(dirfd, pending_name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail_errno(errno);
    emit('R', "", 0);
    uint64_t written = 0;
    for (;;) {
        size_t len;
        char type = next_frame(&len);
        if (type == 'B') {
            int err = write_file(fd, frame_buf, len);
            if (err) fail_errno(err);
            written += len;
        } else if (type == 'Z') {
            if (fchmod(fd, mode) != 0 || close(fd) != 0) fail_errno(errno);
            if (renameat(dirfd, pending_name, dirfd, base) != 0) fail_errno(errno);
            pending_name[0] = '\0';
            char done[32];
            emit('K', done, (size_t)snprintf(done, sizeof done, "%llu", (unsigned long long)written));
            return 0;
        } else {
            fail("invalid", "an unexpected frame");
        }
    }
}

/* One entry from the service, as send_entry writes them. */
struct entry {
    char type;
    uint64_t size;
    mode_t mode;
    time_t mtime;
    const char *path, *target;
};

static int parse_entry(const char *payload, size_t len, struct entry *e) {
    const char *fields[6];
    size_t at = 0;
    for (int i = 0; i < 6; i++) {
        if (at > len) return 0;
        fields[i] = payload + at;
        at += strnlen(payload + at, len - at) + 1;
    }
    e->type = fields[0][0];
    e->size = strtoull(fields[1], NULL, 10);
    e->mode = (mode_t)strtoul(fields[2], NULL, 8) & 0777;
    e->mtime = (time_t)strtoll(fields[3], NULL, 10);
    e->path = fields[4];
    e->target = fields[5];
    return 1;
}

/* A relative path without "..", "." or empty parts, as the service already checked; checked again. */
static int plain_relative(const char *path) {
    if (!*path || *path == '/' || strlen(path) > MAX_PATH) return 0;
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return 0;
        p += n + (end ? 1 : 0);
        if (end && !*p) return 0;
    }
    return 1;
}

/*
 * Opens the directory that holds path under root, never following a link (an archive's own link
 * cannot redirect a later entry); makes missing directories when create. base gets the last part.
 */
static int open_within(int root, const char *path, int create, char *base) {
    char copy[MAX_PATH + 1];
    strcpy(copy, path);
    int fd = dup(root);
    char *part = copy;
    for (char *slash; (slash = strchr(part, '/')) != NULL; part = slash + 1) {
        *slash = '\0';
        if (create && mkdirat(fd, part, 0755) != 0 && errno != EEXIST) fail_errno(errno);
        int next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) fail(errno == ELOOP || errno == ENOTDIR ? "invalid" : error_code(errno),
                           "an entry is placed under a link or a file of the archive");
        close(fd);
        fd = next;
    }
    strcpy(base, part);
    return fd;
}

static void set_mtime(int dirfd, const char *name, time_t mtime) {
    struct timespec times[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_sec = mtime}};
    utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW);
}

/* Unpacks one entry into the staging directory; a file's data frames follow its entry. */
static void unpack(int staging, const struct entry *e) {
    if (!plain_relative(e->path)) fail("invalid", "an entry's path is absolute or climbs with '..'");
    char base[MAX_PATH + 1];
    int dir = open_within(staging, e->path, 1, base);
    if (e->type == 'd') {
        if (mkdirat(dir, base, e->mode | 0700) != 0 && errno != EEXIST) fail_errno(errno);
    } else if (e->type == 'f') {
        int fd = openat(dir, base, O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) fail_errno(errno);
        uint64_t left = e->size;
        while (left > 0) {
            size_t len;
            if (next_frame(&len) != 'B' || len > left) fail("invalid", "a file's data does not match its size");
            int err = write_file(fd, frame_buf, len);
            if (err) fail_errno(err);
            left -= len;
        }
        if (fchmod(fd, e->mode) != 0 || close(fd) != 0) fail_errno(errno);
        set_mtime(dir, base, e->mtime);
    } else if (e->type == 'l') {
        if (symlinkat(e->target, dir, base) != 0) fail_errno(errno);
    } else if (e->type == 'h') {
        if (!plain_relative(e->target)) fail("invalid", "a hard link's target is absolute or climbs with '..'");
        char target_base[MAX_PATH + 1];
        int target_dir = open_within(staging, e->target, 0, target_base);
        if (linkat(target_dir, target_base, dir, base, 0) != 0) fail_errno(errno);
        close(target_dir);
    } else {
        fail("invalid", "an entry of an unknown type");
    }
    close(dir);
}

/*
 * Moves what src holds into dst: a directory into an existing directory is merged, anything else
 * replaces what has its name (a link there is replaced, never followed).
 */
static void merge(int src, int dst, int depth) {
    DIR *dir = fdopendir(openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) fail_errno(errno);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        struct stat from, to;
        if (fstatat(src, e->d_name, &from, AT_SYMLINK_NOFOLLOW) != 0) fail_errno(errno);
        int there = fstatat(dst, e->d_name, &to, AT_SYMLINK_NOFOLLOW) == 0;
        if (there && S_ISDIR(from.st_mode) && S_ISDIR(to.st_mode) && depth < MAX_DEPTH) {
            int sub_src = openat(src, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            int sub_dst = openat(dst, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub_src < 0 || sub_dst < 0) fail_errno(errno);
            merge(sub_src, sub_dst, depth + 1);
            close(sub_src);
            close(sub_dst);
            continue;
        }
        if (there && S_ISDIR(to.st_mode)) fail("exists", "a directory is where the archive has a file");
        if (there && S_ISDIR(from.st_mode)) fail("exists", "a file is where the archive has a directory");
        if (renameat(src, e->d_name, dst, e->d_name) != 0) fail_errno(errno);
    }
    closedir(dir);
}

/* extract PATH: entries (each file's data after it), then Z, unpacked into the directory PATH. */
static int files_extract(const char *path) {
    int err = make_dirs(path, 0755, 1);
    if (err) fail_errno(err);
    int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) fail_errno(errno);
    make_pending(dirfd, 1);
    int staging = openat(dirfd, pending_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (staging < 0) fail_errno(errno);
    emit('R', "", 0);
    uint64_t entries = 0;
    for (;;) {
        size_t len;
        char type = next_frame(&len);
        if (type == 'N') {
            struct entry e;
            if (!parse_entry(frame_buf, len, &e)) fail("invalid", "a broken entry");
            unpack(staging, &e);
            entries++;
        } else if (type == 'Z') {
            merge(staging, dirfd, 0);
            remove_pending();
            pending_name[0] = '\0';
            char done[32];
            emit('K', done, (size_t)snprintf(done, sizeof done, "%llu", (unsigned long long)entries));
            return 0;
        } else {
            fail("invalid", "an unexpected frame");
        }
    }
}

static int whole_number(const char *text, uint64_t *out) {
    if (!*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 18) return 0;
    *out = strtoull(text, NULL, 10);
    return 1;
}

int files_main(int argc, char **argv) {
    if (argc < 2) return 2;
    const char *op = argv[0], *path = argv[1];
    if (!*path || strlen(path) > MAX_PATH) {
        emit_text('H', PROTOCOL);
        fail("invalid", "the path is empty or too long");
    }
    uint64_t max_bytes, max_entries;
    if (strcmp(op, "get") == 0 && argc == 4 && whole_number(argv[2], &max_bytes) && whole_number(argv[3], &max_entries)) {
        emit_text('H', PROTOCOL);
        return files_get(path, max_bytes, max_entries);
    }
    if (strcmp(op, "list") == 0 && argc == 3 && whole_number(argv[2], &max_entries)) {
        emit_text('H', PROTOCOL);
        return files_list(path, max_entries);
    }
    if (argc != 2) return 2;
    emit_text('H', PROTOCOL);
    if (strcmp(op, "put") == 0) return files_put(path);
    if (strcmp(op, "extract") == 0) return files_extract(path);
    if (strcmp(op, "remove") == 0) return files_remove(path);
    if (strcmp(op, "mkdir") == 0) return files_mkdir(path);
    fail("invalid", "no such operation");
}
