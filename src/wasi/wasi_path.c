/*
 * wasi_path.c — path_* calls, resolved beneath a directory descriptor.
 *
 * The sandbox rule: a guest path names something inside the directory it
 * is relative to, after `..`, symlinks and repeated slashes are resolved.
 * The kernel enforces it for us: openat2(RESOLVE_BENEATH) refuses (EXDEV)
 * any resolution that would leave the directory, atomically, so there is
 * no window between a check and the open. Operations on a name (mkdir,
 * unlink, rename, ...) first open the name's parent that way, then act on
 * the last component with the *at() call, which cannot escape: the last
 * component is one name inside a directory inside the sandbox, and the
 * calls used never follow a symlink there (those that must follow go
 * through openat2 as well). Where the kernel lacks openat2 (before 5.6)
 * path calls fail closed with ENOTSUP rather than resolve unsafely.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "wasi/wasi_int.h"

#define WASI_MAX_PATH 4096

uint32_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);

/* openat2 beneath dirfd; errno EXDEV when the path would escape. */
static int open_beneath(int dirfd, const char *path, int flags, mode_t mode, bool follow) {
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (r < 0 && errno == ENOSYS) errno = EOPNOTSUPP;
    return (int)r;
}

/* Copies the guest's path; refuses NUL bytes and absolute paths. */
static uint32_t read_path(wasi_call *c, uint32_t ptr, uint32_t len, char **out) {
    if (len > WASI_MAX_PATH) return WASI_ENAMETOOLONG;
    const char *p = wasi_mem(c, ptr, len);
    if (!p && len) return WASI_EFAULT;
    if (len && memchr(p, 0, len)) return WASI_EILSEQ;
    if (len == 0) return WASI_ENOENT;
    if (p[0] == '/') return WASI_ENOTCAPABLE;
    char *s = malloc(len + 1);
    if (!s) return WASI_ENOMEM;
    memcpy(s, p, len);
    s[len] = 0;
    *out = s;
    return WASI_ESUCCESS;
}

/* The directory a path is relative to. */
static uint32_t get_dir(wasi_call *c, uint64_t fdnum, wasi_fd **out) {
    wasi_fd *d = wasi_fd_get(c->w, (uint32_t)fdnum);
    if (!d) return WASI_EBADF;
    if (d->kind != WASI_FD_DIR) return WASI_ENOTDIR;
    *out = d;
    return WASI_ESUCCESS;
}

/* A resolved name: an open parent directory and the last component
 * (trailing slashes kept, so the kernel applies its directory rules). */
typedef struct wasi_name {
    int parent;   /* owned; -1 if none */
    char *path;   /* owned copy of the whole guest path */
    char *last;   /* points into path */
    bool dotty;   /* the last component is "." or "..": never act on it by name */
} wasi_name;

static void name_free(wasi_name *n) {
    if (n->parent >= 0) close(n->parent);
    free(n->path);
}

static uint32_t resolve_name(wasi_call *c, uint64_t fdnum, uint32_t ptr, uint32_t len,
                             wasi_name *n, wasi_fd **dir_out) {
    n->parent = -1, n->path = NULL;
    wasi_fd *dir;
    uint32_t e = get_dir(c, fdnum, &dir);
    if (e || (e = read_path(c, ptr, len, &n->path))) return e;
    if (dir_out) *dir_out = dir;
    /* Split after the last slash that is followed by a non-slash. */
    char *s = n->path, *split = NULL;
    for (char *q = s; *q; q++)
        if (*q == '/' && q[1] && q[1] != '/') split = q;
    char *last = split ? split + 1 : s;
    size_t comp = strcspn(last, "/");
    n->dotty = (comp == 1 && last[0] == '.') || (comp == 2 && last[0] == '.' && last[1] == '.');
    if (split) {
        *split = 0;
        n->parent = open_beneath(dir->host, s, O_PATH | O_DIRECTORY, 0, true);
        *split = '/';
        if (n->parent < 0) return wasi_errno(errno);
        /* keep the parent string intact for error-free reuse of path */
    } else {
        n->parent = fcntl(dir->host, F_DUPFD_CLOEXEC, 3);
        if (n->parent < 0) return wasi_errno(errno);
    }
    n->last = last;
    return WASI_ESUCCESS;
}

static uint32_t refuse_readonly(const wasi_fd *dir) { return dir->readonly ? WASI_EROFS : WASI_ESUCCESS; }

/* ---- opening ------------------------------------------------------------ */

#define RIGHTS_WANT_WRITE                                                                  \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT(0) /* datasync */ | WASI_RIGHT(8) /* allocate */ | \
     WASI_RIGHT(22) /* filestat_set_size */)
#define RIGHTS_WANT_READ (WASI_RIGHT_FD_READ | WASI_RIGHT(14) /* readdir */)

WASI_IMPL(path_open) {
    wasi_fd *dir;
    uint32_t e = get_dir(c, a[0], &dir);
    if (e) return e;
    uint32_t lookup = (uint32_t)a[1], oflags = (uint32_t)a[4];
    uint64_t rights = a[5], inheriting = a[6];
    uint16_t fdflags = (uint16_t)a[7];
    char *path;
    if ((e = read_path(c, (uint32_t)a[2], (uint32_t)a[3], &path))) return e;

    bool want_write = (rights & RIGHTS_WANT_WRITE) || (oflags & WASI_O_TRUNC) ||
                      (fdflags & WASI_FDFLAG_APPEND);
    bool want_read = (rights & RIGHTS_WANT_READ) || !want_write;
    int flags = 0;
    if (oflags & WASI_O_DIRECTORY) {
        flags = O_RDONLY | O_DIRECTORY;
        want_write = false;
    } else {
        flags = want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY;
    }
    if (oflags & WASI_O_CREAT) flags |= O_CREAT;
    if (oflags & WASI_O_EXCL) flags |= O_EXCL;
    if (oflags & WASI_O_TRUNC) flags |= O_TRUNC;
    if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
    if (fdflags & WASI_FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
    if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
    if (fdflags & (WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC)) flags |= O_SYNC;
    if (dir->readonly && (want_write || (oflags & WASI_O_CREAT))) e = WASI_EROFS;
    /* The directory's rights say what may be done through it. */
    else if (!(dir->rights_base & WASI_RIGHT(WASI_R_PATH_OPEN)) ||
             ((oflags & WASI_O_CREAT) && !(dir->rights_base & WASI_RIGHT(WASI_R_PATH_CREATE_FILE))) ||
             ((oflags & WASI_O_TRUNC) && !(dir->rights_base & WASI_RIGHT(WASI_R_PATH_FILESTAT_SET_SIZE))))
        e = WASI_ENOTCAPABLE;
    if (e) {
        free(path);
        return e;
    }

    int host = open_beneath(dir->host, path, flags, 0666, lookup & WASI_LOOKUP_SYMLINK_FOLLOW);
    if (host < 0 && errno == EISDIR && !(oflags & WASI_O_DIRECTORY) && (flags & O_ACCMODE) != O_RDONLY) {
        /* Asked for write rights on a directory without O_DIRECTORY. */
        e = WASI_EISDIR;
    } else if (host < 0) {
        e = wasi_errno(errno);
    }
    free(path);
    if (e) return e;

    struct stat st;
    if (fstat(host, &st) != 0) {
        e = wasi_errno(errno);
        close(host);
        return e;
    }
    bool is_dir = S_ISDIR(st.st_mode);
    if (is_dir && (oflags & WASI_O_DIRECTORY) && (rights & WASI_RIGHT_FD_WRITE)) {
        close(host); /* a directory cannot be opened for writing */
        return WASI_EISDIR;
    }
    uint64_t allowed = dir->rights_inheriting & (is_dir ? WASI_RIGHTS_DIR : WASI_RIGHTS_FILE) &
                       (dir->readonly ? ~WASI_RIGHTS_WRITING : ~(uint64_t)0);
    wasi_fd fd = {
        .kind = is_dir ? WASI_FD_DIR : WASI_FD_FILE,
        .host = host,
        .readonly = dir->readonly,
        .fdflags = fdflags,
        .filetype = wasi_filetype_of_mode(st.st_mode),
        .rights_base = rights & allowed,
        .rights_inheriting = inheriting & dir->rights_inheriting,
    };
    /* Allocating may move the table: dir is not to be used after this. */
    int64_t slot = wasi_fd_alloc(c->w);
    if (slot < 0) {
        close(host);
        return WASI_EMFILE;
    }
    c->w->fds[slot] = fd;
    /* A descriptor opened without read or write rights can still do what
     * its access mode allows (wasi-libc asks for exactly what it needs). */
    if (!is_dir) {
        if ((flags & O_ACCMODE) != O_WRONLY) c->w->fds[slot].rights_base |= WASI_RIGHT_FD_READ;
        if ((flags & O_ACCMODE) != O_RDONLY) c->w->fds[slot].rights_base |= WASI_RIGHT_FD_WRITE;
    }
    return wasi_store_u32(c, (uint32_t)a[8], (uint32_t)slot) ? WASI_ESUCCESS : WASI_EFAULT;
}

/* ---- names -------------------------------------------------------------- */

WASI_IMPL(path_create_directory) {
    wasi_name n;
    wasi_fd *dir;
    uint32_t e = resolve_name(c, a[0], (uint32_t)a[1], (uint32_t)a[2], &n, &dir);
    if (!e) e = refuse_readonly(dir);
    if (!e) e = n.dotty ? WASI_EEXIST : mkdirat(n.parent, n.last, 0777) == 0 ? 0 : wasi_errno(errno);
    name_free(&n);
    return e;
}

WASI_IMPL(path_remove_directory) {
    wasi_name n;
    wasi_fd *dir;
    uint32_t e = resolve_name(c, a[0], (uint32_t)a[1], (uint32_t)a[2], &n, &dir);
    if (!e) e = refuse_readonly(dir);
    if (!e) e = n.dotty ? WASI_EINVAL : unlinkat(n.parent, n.last, AT_REMOVEDIR) == 0 ? 0 : wasi_errno(errno);
    name_free(&n);
    return e;
}

WASI_IMPL(path_unlink_file) {
    wasi_name n;
    wasi_fd *dir;
    uint32_t e = resolve_name(c, a[0], (uint32_t)a[1], (uint32_t)a[2], &n, &dir);
    if (!e) e = refuse_readonly(dir);
    if (!e) {
        if (n.dotty) e = WASI_EISDIR;
        else if (unlinkat(n.parent, n.last, 0) != 0) e = wasi_errno(errno);
    }
    name_free(&n);
    return e;
}

/* stat of a name: by name when not following (cannot leave the parent),
 * else by opening it beneath the directory (the link may point anywhere). */
static uint32_t stat_name(wasi_call *c, uint64_t fdnum, uint32_t lookup, uint32_t ptr, uint32_t len,
                          struct stat *st) {
    wasi_name n;
    uint32_t e = resolve_name(c, fdnum, ptr, len, &n, NULL);
    if (!e) {
        if ((lookup & WASI_LOOKUP_SYMLINK_FOLLOW) || n.dotty) {
            int fd = open_beneath(n.parent, n.last, O_PATH, 0, true);
            if (fd < 0 || fstat(fd, st) != 0) e = wasi_errno(errno);
            if (fd >= 0) close(fd);
        } else if (fstatat(n.parent, n.last, st, AT_SYMLINK_NOFOLLOW) != 0) {
            e = wasi_errno(errno);
        }
    }
    name_free(&n);
    return e;
}

WASI_IMPL(path_filestat_get) {
    struct stat st;
    uint8_t *p = wasi_mem(c, (uint32_t)a[4], 64);
    if (!p) return WASI_EFAULT;
    uint32_t e = stat_name(c, a[0], (uint32_t)a[1], (uint32_t)a[2], (uint32_t)a[3], &st);
    if (!e) wasi_put_filestat(p, &st);
    return e;
}

WASI_IMPL(path_filestat_set_times) {
    struct timespec ts[2];
    uint32_t e = wasi_times(a[4], a[5], (uint32_t)a[6], ts);
    if (e) return e;
    wasi_name n;
    wasi_fd *dir;
    if ((e = resolve_name(c, a[0], (uint32_t)a[2], (uint32_t)a[3], &n, &dir))) goto out;
    if ((e = refuse_readonly(dir))) goto out;
    if (((uint32_t)a[1] & WASI_LOOKUP_SYMLINK_FOLLOW) || n.dotty) {
        int fd = open_beneath(n.parent, n.last, O_PATH, 0, true);
        char proc[64];
        if (fd < 0) {
            e = wasi_errno(errno);
            goto out;
        }
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (utimensat(AT_FDCWD, proc, ts, 0) != 0) e = wasi_errno(errno);
        close(fd);
    } else if (utimensat(n.parent, n.last, ts, AT_SYMLINK_NOFOLLOW) != 0) {
        e = wasi_errno(errno);
    }
out:
    name_free(&n);
    return e;
}

WASI_IMPL(path_readlink) {
    wasi_name n;
    uint32_t e = resolve_name(c, a[0], (uint32_t)a[1], (uint32_t)a[2], &n, NULL);
    uint32_t buf_len = (uint32_t)a[4];
    char *buf = wasi_mem(c, (uint32_t)a[3], buf_len);
    if (!e && !buf && buf_len) e = WASI_EFAULT;
    if (!e) {
        char tmp[WASI_MAX_PATH];
        ssize_t r = n.dotty ? (errno = EINVAL, -1) : readlinkat(n.parent, n.last, tmp, sizeof tmp);
        if (r < 0) e = wasi_errno(errno);
        else {
            size_t used = (size_t)r < buf_len ? (size_t)r : buf_len;
            memcpy(buf, tmp, used);
            if (!wasi_store_u32(c, (uint32_t)a[5], (uint32_t)used)) e = WASI_EFAULT;
        }
    }
    name_free(&n);
    return e;
}

WASI_IMPL(path_symlink) {
    char *target;
    uint32_t e = read_path(c, (uint32_t)a[0], (uint32_t)a[1], &target);
    if (e == WASI_ENOTCAPABLE) return WASI_EPERM; /* an absolute target could never resolve inside */
    if (e) return e;
    wasi_name n;
    wasi_fd *dir;
    if (!(e = resolve_name(c, a[2], (uint32_t)a[3], (uint32_t)a[4], &n, &dir)) && !(e = refuse_readonly(dir)))
        e = n.dotty ? WASI_EEXIST : symlinkat(target, n.parent, n.last) == 0 ? 0 : wasi_errno(errno);
    name_free(&n);
    free(target);
    return e;
}

WASI_IMPL(path_rename) {
    wasi_name from, to;
    wasi_fd *d1, *d2;
    to.parent = -1, to.path = NULL;
    uint32_t e = resolve_name(c, a[0], (uint32_t)a[1], (uint32_t)a[2], &from, &d1);
    if (!e) e = resolve_name(c, a[3], (uint32_t)a[4], (uint32_t)a[5], &to, &d2);
    if (!e && !(e = refuse_readonly(d1)) && !(e = refuse_readonly(d2))) {
        if (from.dotty || to.dotty) e = WASI_EBUSY;
        else if (renameat(from.parent, from.last, to.parent, to.last) != 0) e = wasi_errno(errno);
    }
    name_free(&from);
    name_free(&to);
    return e;
}

WASI_IMPL(path_link) {
    wasi_name from, to;
    wasi_fd *d1, *d2;
    to.parent = -1, to.path = NULL;
    uint32_t e = resolve_name(c, a[0], (uint32_t)a[2], (uint32_t)a[3], &from, &d1);
    if (!e) e = resolve_name(c, a[4], (uint32_t)a[5], (uint32_t)a[6], &to, &d2);
    if (!e && !(e = refuse_readonly(d2))) {
        if (from.dotty || to.dotty) e = WASI_EPERM;
        else if ((uint32_t)a[1] & WASI_LOOKUP_SYMLINK_FOLLOW) {
            /* Follow beneath the directory, then link what was found. */
            int fd = open_beneath(from.parent, from.last, O_PATH, 0, true);
            char proc[64];
            if (fd < 0) e = wasi_errno(errno);
            else {
                snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
                if (linkat(AT_FDCWD, proc, to.parent, to.last, AT_SYMLINK_FOLLOW) != 0) e = wasi_errno(errno);
                close(fd);
            }
        } else if (linkat(from.parent, from.last, to.parent, to.last, 0) != 0) {
            e = wasi_errno(errno);
        }
    }
    name_free(&from);
    name_free(&to);
    return e;
}
