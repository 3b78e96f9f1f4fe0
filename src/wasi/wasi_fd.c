/*
 * wasi_fd.c — the descriptor table and the fd_* calls.
 *
 * Guest descriptors index w->fds; each holds a host descriptor the guest
 * can reach only through these calls. Pre-opened directories cannot be
 * renumbered over or closed into something else's identity by accident:
 * their entry simply moves like any other.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi/wasi_int.h"

#define WASI_MAX_FDS 4096 /* a guest cannot exhaust the host's descriptors */
#define WASI_MAX_IOVS 1024

/* ---- table -------------------------------------------------------------- */

wasi_fd *wasi_fd_get(aw_wasi *w, uint32_t fd) {
    if (fd >= w->nfds || w->fds[fd].kind == WASI_FD_FREE) return NULL;
    return &w->fds[fd];
}

int64_t wasi_fd_alloc(aw_wasi *w) {
    for (uint32_t i = 0; i < w->nfds; i++)
        if (w->fds[i].kind == WASI_FD_FREE) return i;
    if (w->nfds >= WASI_MAX_FDS) return -1;
    uint32_t n = w->nfds ? w->nfds * 2 : 8;
    wasi_fd *fds = realloc(w->fds, n * sizeof *fds);
    if (!fds) return -1;
    memset(fds + w->nfds, 0, (n - w->nfds) * sizeof *fds);
    for (uint32_t i = w->nfds; i < n; i++) fds[i].host = -1;
    int64_t slot = w->nfds;
    w->fds = fds, w->nfds = n;
    return slot;
}

void wasi_dirlist_free(wasi_dirlist *d) {
    if (!d) return;
    for (uint32_t i = 0; i < d->n; i++) free(d->e[i].name);
    free(d->e);
    free(d);
}

void wasi_fd_release(wasi_fd *f) {
    if (f->kind == WASI_FD_FREE) return;
    if (f->host >= 0) close(f->host);
    free(f->preopen_name);
    wasi_dirlist_free(f->dir);
    memset(f, 0, sizeof *f);
    f->host = -1;
}

uint8_t wasi_filetype_of_mode(unsigned mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

static uint64_t ts_ns(struct timespec ts) { return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec; }

void wasi_put_filestat(uint8_t *out, const void *host_stat) {
    const struct stat *st = host_stat;
    memset(out, 0, 64);
    wasi_put_u64(out + 0, (uint64_t)st->st_dev);
    wasi_put_u64(out + 8, (uint64_t)st->st_ino);
    out[16] = wasi_filetype_of_mode(st->st_mode);
    wasi_put_u64(out + 24, (uint64_t)st->st_nlink);
    wasi_put_u64(out + 32, (uint64_t)st->st_size);
    wasi_put_u64(out + 40, ts_ns(st->st_atim));
    wasi_put_u64(out + 48, ts_ns(st->st_mtim));
    wasi_put_u64(out + 56, ts_ns(st->st_ctim));
}

/* The descriptor for a call, or an errno: EBADF if not open. */
#define GET_FD(f, num)                                           \
    wasi_fd *f = wasi_fd_get(c->w, (uint32_t)(num));             \
    if (!f) return WASI_EBADF

/* Descriptors that hold bytes (files, streams, sockets), not directories. */
#define NOT_DIR(f) \
    if ((f)->kind == WASI_FD_DIR) return WASI_EISDIR

/* ---- iovecs ------------------------------------------------------------- */

/* Translates guest iovecs into host ones, checking every buffer. */
static uint32_t load_iovs(wasi_call *c, uint32_t iovs, uint32_t n, struct iovec *out) {
    if (n > WASI_MAX_IOVS) return WASI_EINVAL;
    const uint8_t *p = wasi_mem(c, iovs, (uint64_t)n * 8);
    if (!p && n) return WASI_EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = wasi_get_u32(p + 8 * i), len = wasi_get_u32(p + 8 * i + 4);
        void *hp = wasi_mem(c, buf, len);
        if (!hp && len) return WASI_EFAULT;
        out[i].iov_base = hp;
        out[i].iov_len = len;
    }
    return WASI_ESUCCESS;
}

typedef enum { IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE } io_kind;

static uint32_t do_io(wasi_call *c, const uint64_t *a, io_kind kind) {
    GET_FD(f, a[0]);
    NOT_DIR(f);
    bool writing = kind == IO_WRITE || kind == IO_PWRITE;
    if (writing && f->readonly) return WASI_EBADF;
    if (!(f->rights_base & (writing ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ))) return WASI_EBADF;
    uint32_t n = (uint32_t)a[2];
    struct iovec stack_iov[16], *iov = n <= 16 ? stack_iov : malloc(n * sizeof *iov);
    if (!iov) return WASI_ENOMEM;
    uint32_t e = load_iovs(c, (uint32_t)a[1], n, iov);
    uint32_t result_ptr = (uint32_t)a[kind == IO_PREAD || kind == IO_PWRITE ? 4 : 3];
    ssize_t r = 0;
    if (!e) {
        off_t off = (off_t)a[3];
        if ((kind == IO_PREAD || kind == IO_PWRITE) && (int64_t)a[3] < 0) e = WASI_EINVAL;
        else if (kind == IO_READ) r = readv(f->host, iov, (int)n);
        else if (kind == IO_WRITE) r = writev(f->host, iov, (int)n);
        else if (kind == IO_PREAD) r = preadv(f->host, iov, (int)n, off);
        else if (f->fdflags & WASI_FDFLAG_APPEND) {
            /* POSIX pwrite on an O_APPEND file appends on Linux; WASI means
             * the offset. Write through a descriptor without O_APPEND. */
            int flags = fcntl(f->host, F_GETFL);
            fcntl(f->host, F_SETFL, flags & ~O_APPEND);
            r = pwritev(f->host, iov, (int)n, off);
            int saved = errno;
            fcntl(f->host, F_SETFL, flags);
            errno = saved;
        } else r = pwritev(f->host, iov, (int)n, off);
        if (!e && r < 0) e = wasi_errno(errno);
    }
    if (iov != stack_iov) free(iov);
    if (e) return e;
    return wasi_store_u32(c, result_ptr, (uint32_t)r) ? WASI_ESUCCESS : WASI_EFAULT;
}

WASI_IMPL(fd_read) { return do_io(c, a, IO_READ); }
WASI_IMPL(fd_write) { return do_io(c, a, IO_WRITE); }
WASI_IMPL(fd_pread) { return do_io(c, a, IO_PREAD); }
WASI_IMPL(fd_pwrite) { return do_io(c, a, IO_PWRITE); }

/* ---- positions ---------------------------------------------------------- */

WASI_IMPL(fd_seek) {
    GET_FD(f, a[0]);
    NOT_DIR(f);
    if (f->kind == WASI_FD_SOCKET) return WASI_ESPIPE;
    static const int whence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    uint32_t wh = (uint32_t)a[2];
    if (wh > 2) return WASI_EINVAL;
    off_t r = lseek(f->host, (off_t)(int64_t)a[1], whence[wh]);
    if (r < 0) return wasi_errno(errno);
    return wasi_store_u64(c, (uint32_t)a[3], (uint64_t)r) ? WASI_ESUCCESS : WASI_EFAULT;
}

WASI_IMPL(fd_tell) {
    GET_FD(f, a[0]);
    NOT_DIR(f);
    off_t r = lseek(f->host, 0, SEEK_CUR);
    if (r < 0) return wasi_errno(errno);
    return wasi_store_u64(c, (uint32_t)a[1], (uint64_t)r) ? WASI_ESUCCESS : WASI_EFAULT;
}

/* ---- status ------------------------------------------------------------- */

WASI_IMPL(fd_fdstat_get) {
    GET_FD(f, a[0]);
    uint8_t *p = wasi_mem(c, (uint32_t)a[1], 24);
    if (!p) return WASI_EFAULT;
    memset(p, 0, 24);
    p[0] = f->filetype;
    uint16_t flags = f->fdflags;
    if (f->host >= 0 && f->kind != WASI_FD_DIR) {
        int hf = fcntl(f->host, F_GETFL);
        if (hf >= 0) {
            flags &= (uint16_t) ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK);
            if (hf & O_APPEND) flags |= WASI_FDFLAG_APPEND;
            if (hf & O_NONBLOCK) flags |= WASI_FDFLAG_NONBLOCK;
        }
    }
    wasi_put_u16(p + 2, flags);
    wasi_put_u64(p + 8, f->rights_base);
    wasi_put_u64(p + 16, f->rights_inheriting);
    return WASI_ESUCCESS;
}

WASI_IMPL(fd_fdstat_set_flags) {
    GET_FD(f, a[0]);
    uint16_t want = (uint16_t)a[1];
    if (f->kind == WASI_FD_DIR) return want ? WASI_EBADF : WASI_ESUCCESS;
    int hf = fcntl(f->host, F_GETFL);
    if (hf < 0) return wasi_errno(errno);
    hf &= ~(O_APPEND | O_NONBLOCK);
    if (want & WASI_FDFLAG_APPEND) hf |= O_APPEND;
    if (want & WASI_FDFLAG_NONBLOCK) hf |= O_NONBLOCK;
    if (fcntl(f->host, F_SETFL, hf) != 0) return wasi_errno(errno);
    f->fdflags = want;
    return WASI_ESUCCESS;
}

/* Rights may only shrink. */
WASI_IMPL(fd_fdstat_set_rights) {
    GET_FD(f, a[0]);
    uint64_t base = a[1], inh = a[2];
    if ((base & ~f->rights_base) || (inh & ~f->rights_inheriting)) return WASI_ENOTCAPABLE;
    f->rights_base = base, f->rights_inheriting = inh;
    return WASI_ESUCCESS;
}

WASI_IMPL(fd_filestat_get) {
    GET_FD(f, a[0]);
    uint8_t *p = wasi_mem(c, (uint32_t)a[1], 64);
    if (!p) return WASI_EFAULT;
    struct stat st;
    if (f->host < 0 || fstat(f->host, &st) != 0) return wasi_errno(f->host < 0 ? EBADF : errno);
    wasi_put_filestat(p, &st);
    return WASI_ESUCCESS;
}

WASI_IMPL(fd_filestat_set_size) {
    GET_FD(f, a[0]);
    NOT_DIR(f);
    if (f->readonly) return WASI_EBADF;
    if ((int64_t)a[1] < 0) return WASI_EINVAL;
    return ftruncate(f->host, (off_t)a[1]) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

/* Shared with path_filestat_set_times: builds utimensat's two timestamps. */
uint32_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);
uint32_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
    if (((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) ||
        ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) || (fst & ~15u))
        return WASI_EINVAL;
    ts[0] = (struct timespec){.tv_sec = (time_t)(atim / 1000000000u), .tv_nsec = (long)(atim % 1000000000u)};
    ts[1] = (struct timespec){.tv_sec = (time_t)(mtim / 1000000000u), .tv_nsec = (long)(mtim % 1000000000u)};
    if (!(fst & (WASI_FST_ATIM | WASI_FST_ATIM_NOW))) ts[0].tv_nsec = UTIME_OMIT;
    else if (fst & WASI_FST_ATIM_NOW) ts[0].tv_nsec = UTIME_NOW;
    if (!(fst & (WASI_FST_MTIM | WASI_FST_MTIM_NOW))) ts[1].tv_nsec = UTIME_OMIT;
    else if (fst & WASI_FST_MTIM_NOW) ts[1].tv_nsec = UTIME_NOW;
    return WASI_ESUCCESS;
}

WASI_IMPL(fd_filestat_set_times) {
    GET_FD(f, a[0]);
    if (f->readonly) return WASI_EBADF;
    struct timespec ts[2];
    uint32_t e = wasi_times(a[1], a[2], (uint32_t)a[3], ts);
    if (e) return e;
    return futimens(f->host, ts) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

WASI_IMPL(fd_advise) {
    GET_FD(f, a[0]);
    NOT_DIR(f);
    if ((uint32_t)a[3] > 5) return WASI_EINVAL;
    static const int advice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                 POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    int r = posix_fadvise(f->host, (off_t)a[1], (off_t)a[2], advice[(uint32_t)a[3]]);
    return r == 0 || r == ESPIPE ? WASI_ESUCCESS : wasi_errno(r);
}

WASI_IMPL(fd_allocate) {
    GET_FD(f, a[0]);
    NOT_DIR(f);
    if (f->readonly) return WASI_EBADF;
    int r = posix_fallocate(f->host, (off_t)a[1], (off_t)a[2]);
    return r == 0 ? WASI_ESUCCESS : wasi_errno(r);
}

WASI_IMPL(fd_sync) {
    GET_FD(f, a[0]);
    return fsync(f->host) == 0 || errno == EINVAL ? WASI_ESUCCESS : wasi_errno(errno);
}

WASI_IMPL(fd_datasync) {
    GET_FD(f, a[0]);
    return fdatasync(f->host) == 0 || errno == EINVAL ? WASI_ESUCCESS : wasi_errno(errno);
}

/* ---- lifetime ----------------------------------------------------------- */

WASI_IMPL(fd_close) {
    GET_FD(f, a[0]);
    wasi_fd_release(f);
    return WASI_ESUCCESS;
}

WASI_IMPL(fd_renumber) {
    GET_FD(from, a[0]);
    GET_FD(to, a[1]);
    if (from == to) return WASI_ESUCCESS;
    wasi_fd_release(to);
    *to = *from;
    memset(from, 0, sizeof *from);
    from->host = -1;
    return WASI_ESUCCESS;
}

/* ---- pre-opened directories --------------------------------------------- */

WASI_IMPL(fd_prestat_get) {
    GET_FD(f, a[0]);
    if (!f->is_preopen) return WASI_EBADF;
    uint8_t *p = wasi_mem(c, (uint32_t)a[1], 8);
    if (!p) return WASI_EFAULT;
    memset(p, 0, 8);
    wasi_put_u32(p + 4, (uint32_t)strlen(f->preopen_name));
    return WASI_ESUCCESS;
}

WASI_IMPL(fd_prestat_dir_name) {
    GET_FD(f, a[0]);
    if (!f->is_preopen) return WASI_EBADF;
    size_t len = strlen(f->preopen_name);
    if ((uint32_t)a[2] < len) return WASI_ENAMETOOLONG;
    uint8_t *p = wasi_mem(c, (uint32_t)a[1], len);
    if (!p && len) return WASI_EFAULT;
    memcpy(p, f->preopen_name, len);
    return WASI_ESUCCESS;
}

/* ---- directories -------------------------------------------------------- */

static int cmp_names(const void *x, const void *y) {
    const struct wasi_dirent_rec *a = x, *b = y;
    return strcmp(a->name, b->name);
}

/* Reads every entry of the directory once (sorted, so listings are
 * deterministic); cookies are indices into this list. */
static wasi_dirlist *read_dir(int dirfd) {
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return NULL;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return NULL;
    }
    wasi_dirlist *list = calloc(1, sizeof *list);
    uint32_t cap = 0;
    struct dirent *de;
    while (list && (de = readdir(d))) {
        if (list->n == cap) {
            cap = cap ? cap * 2 : 16;
            void *e = realloc(list->e, cap * sizeof *list->e);
            if (!e) {
                wasi_dirlist_free(list);
                list = NULL;
                break;
            }
            list->e = e;
        }
        uint8_t type = WASI_FILETYPE_UNKNOWN;
        switch (de->d_type) {
        case DT_REG: type = WASI_FILETYPE_REGULAR_FILE; break;
        case DT_DIR: type = WASI_FILETYPE_DIRECTORY; break;
        case DT_LNK: type = WASI_FILETYPE_SYMBOLIC_LINK; break;
        case DT_CHR: type = WASI_FILETYPE_CHARACTER_DEVICE; break;
        case DT_BLK: type = WASI_FILETYPE_BLOCK_DEVICE; break;
        case DT_SOCK: type = WASI_FILETYPE_SOCKET_STREAM; break;
        default: {
            struct stat st;
            if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                type = wasi_filetype_of_mode(st.st_mode);
        }
        }
        char *name = strdup(de->d_name);
        if (!name) {
            wasi_dirlist_free(list);
            list = NULL;
            break;
        }
        list->e[list->n++] = (struct wasi_dirent_rec){
            .ino = de->d_ino, .type = type, .namelen = (uint32_t)strlen(name), .name = name};
    }
    closedir(d);
    if (list) qsort(list->e, list->n, sizeof *list->e, cmp_names);
    return list;
}

WASI_IMPL(fd_readdir) {
    GET_FD(f, a[0]);
    if (f->kind != WASI_FD_DIR) return WASI_ENOTDIR;
    uint32_t buf = (uint32_t)a[1], buf_len = (uint32_t)a[2];
    uint64_t cookie = a[3];
    uint8_t *out = wasi_mem(c, buf, buf_len);
    if (!out && buf_len) return WASI_EFAULT;
    if (cookie == 0 || !f->dir) {
        wasi_dirlist_free(f->dir);
        if (!(f->dir = read_dir(f->host))) return wasi_errno(errno ? errno : ENOMEM);
    }
    uint32_t used = 0;
    for (uint64_t i = cookie; i < f->dir->n && used < buf_len; i++) {
        const struct wasi_dirent_rec *e = &f->dir->e[i];
        uint8_t head[24] = {0};
        wasi_put_u64(head, i + 1);
        wasi_put_u64(head + 8, e->ino);
        wasi_put_u32(head + 16, e->namelen);
        head[20] = e->type;
        /* Entries are truncated at the buffer's end, as the spec says:
         * the guest sees a full buffer and asks again with a bigger one. */
        uint32_t n = buf_len - used < 24 ? buf_len - used : 24;
        memcpy(out + used, head, n);
        used += n;
        n = buf_len - used < e->namelen ? buf_len - used : e->namelen;
        memcpy(out + used, e->name, n);
        used += n;
    }
    return wasi_store_u32(c, (uint32_t)a[4], used) ? WASI_ESUCCESS : WASI_EFAULT;
}
