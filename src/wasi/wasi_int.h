/*
 * wasi_int.h — WASI preview 1 internals shared by wasi.c (context, args,
 * env, clocks, random, process), wasi_fd.c (descriptors and files),
 * wasi_path.c (sandboxed path resolution and path_* calls) and wasi_poll.c
 * (poll_oneoff and sockets).
 *
 * Every function gets a wasi_call: the context, and the guest memory it
 * may read and write, checked with wasi_mem() before every access.
 */
#ifndef AW_WASI_INT_H
#define AW_WASI_INT_H

#include <stdint.h>
#include <string.h>

#include "anywhere/wasi.h"

/* errno values of wasi_snapshot_preview1 (witx "errno"): X(NAME, value),
 * every one whose host errno is ENAME (wasi.c maps host errors by name). */
#define WASI_ERRNO_LIST(X) \
    X(2BIG, 1) X(ACCES, 2) X(ADDRINUSE, 3) X(ADDRNOTAVAIL, 4) X(AFNOSUPPORT, 5) X(AGAIN, 6) \
    X(ALREADY, 7) X(BADF, 8) X(BADMSG, 9) X(BUSY, 10) X(CANCELED, 11) X(CHILD, 12) \
    X(CONNABORTED, 13) X(CONNREFUSED, 14) X(CONNRESET, 15) X(DEADLK, 16) X(DESTADDRREQ, 17) \
    X(DOM, 18) X(DQUOT, 19) X(EXIST, 20) X(FAULT, 21) X(FBIG, 22) X(HOSTUNREACH, 23) X(IDRM, 24) \
    X(ILSEQ, 25) X(INPROGRESS, 26) X(INTR, 27) X(INVAL, 28) X(IO, 29) X(ISCONN, 30) X(ISDIR, 31) \
    X(LOOP, 32) X(MFILE, 33) X(MLINK, 34) X(MSGSIZE, 35) X(MULTIHOP, 36) X(NAMETOOLONG, 37) \
    X(NETDOWN, 38) X(NETRESET, 39) X(NETUNREACH, 40) X(NFILE, 41) X(NOBUFS, 42) X(NODEV, 43) \
    X(NOENT, 44) X(NOEXEC, 45) X(NOLCK, 46) X(NOLINK, 47) X(NOMEM, 48) X(NOMSG, 49) \
    X(NOPROTOOPT, 50) X(NOSPC, 51) X(NOSYS, 52) X(NOTCONN, 53) X(NOTDIR, 54) X(NOTEMPTY, 55) \
    X(NOTRECOVERABLE, 56) X(NOTSOCK, 57) X(NOTSUP, 58) X(NOTTY, 59) X(NXIO, 60) X(OVERFLOW, 61) \
    X(OWNERDEAD, 62) X(PERM, 63) X(PIPE, 64) X(PROTO, 65) X(PROTONOSUPPORT, 66) X(PROTOTYPE, 67) \
    X(RANGE, 68) X(ROFS, 69) X(SPIPE, 70) X(SRCH, 71) X(STALE, 72) X(TIMEDOUT, 73) X(TXTBSY, 74) \
    X(XDEV, 75)

enum {
    WASI_ESUCCESS = 0,
#define WASI_ERRNO_ENUM(name, value) WASI_E##name = value,
    WASI_ERRNO_LIST(WASI_ERRNO_ENUM)
#undef WASI_ERRNO_ENUM
    WASI_ENOTCAPABLE = 76,
};

/* filetype */
enum {
    WASI_FILETYPE_UNKNOWN = 0, WASI_FILETYPE_BLOCK_DEVICE = 1, WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3, WASI_FILETYPE_REGULAR_FILE = 4, WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6, WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* fdflags, oflags, lookupflags, fstflags */
enum { WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4, WASI_FDFLAG_RSYNC = 8, WASI_FDFLAG_SYNC = 16 };
enum { WASI_O_CREAT = 1, WASI_O_DIRECTORY = 2, WASI_O_EXCL = 4, WASI_O_TRUNC = 8 };
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };
enum { WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4, WASI_FST_MTIM_NOW = 8 };

/* rights (bit numbers of witx "rights") */
#define WASI_RIGHT(n) ((uint64_t)1 << (n))
enum {
    WASI_R_FD_DATASYNC = 0, WASI_R_FD_READ = 1, WASI_R_FD_SEEK = 2, WASI_R_FD_FDSTAT_SET_FLAGS = 3,
    WASI_R_FD_SYNC = 4, WASI_R_FD_TELL = 5, WASI_R_FD_WRITE = 6, WASI_R_FD_ADVISE = 7,
    WASI_R_FD_ALLOCATE = 8, WASI_R_PATH_CREATE_DIRECTORY = 9, WASI_R_PATH_CREATE_FILE = 10,
    WASI_R_PATH_LINK_SOURCE = 11, WASI_R_PATH_LINK_TARGET = 12, WASI_R_PATH_OPEN = 13,
    WASI_R_FD_READDIR = 14, WASI_R_PATH_READLINK = 15, WASI_R_PATH_RENAME_SOURCE = 16,
    WASI_R_PATH_RENAME_TARGET = 17, WASI_R_PATH_FILESTAT_GET = 18, WASI_R_PATH_FILESTAT_SET_SIZE = 19,
    WASI_R_PATH_FILESTAT_SET_TIMES = 20, WASI_R_FD_FILESTAT_GET = 21, WASI_R_FD_FILESTAT_SET_SIZE = 22,
    WASI_R_FD_FILESTAT_SET_TIMES = 23, WASI_R_PATH_SYMLINK = 24, WASI_R_PATH_REMOVE_DIRECTORY = 25,
    WASI_R_PATH_UNLINK_FILE = 26, WASI_R_POLL_FD_READWRITE = 27, WASI_R_SOCK_SHUTDOWN = 28,
    WASI_R_SOCK_ACCEPT = 29,
};
#define WASI_RIGHT_FD_READ WASI_RIGHT(WASI_R_FD_READ)
#define WASI_RIGHT_FD_WRITE WASI_RIGHT(WASI_R_FD_WRITE)
#define WASI_RIGHTS_ALL ((uint64_t)0x3FFFFFFF) /* bits 0..29 */
/* What each kind of descriptor can do at most (as wasmtime and uvwasi
 * grant them): a directory cannot be read, written or sought as bytes,
 * a file cannot hold paths; a directory passes both sets on to what is
 * opened beneath it. Guests test these (isatty: no seek, no tell). */
#define WASI_RIGHTS_FILE                                                                            \
    (WASI_RIGHT(WASI_R_FD_DATASYNC) | WASI_RIGHT(WASI_R_FD_READ) | WASI_RIGHT(WASI_R_FD_SEEK) |     \
     WASI_RIGHT(WASI_R_FD_FDSTAT_SET_FLAGS) | WASI_RIGHT(WASI_R_FD_SYNC) | WASI_RIGHT(WASI_R_FD_TELL) | \
     WASI_RIGHT(WASI_R_FD_WRITE) | WASI_RIGHT(WASI_R_FD_ADVISE) | WASI_RIGHT(WASI_R_FD_ALLOCATE) |   \
     WASI_RIGHT(WASI_R_FD_FILESTAT_GET) | WASI_RIGHT(WASI_R_FD_FILESTAT_SET_SIZE) |                  \
     WASI_RIGHT(WASI_R_FD_FILESTAT_SET_TIMES) | WASI_RIGHT(WASI_R_POLL_FD_READWRITE))
#define WASI_RIGHTS_DIR                                                                             \
    (WASI_RIGHT(WASI_R_FD_FDSTAT_SET_FLAGS) | WASI_RIGHT(WASI_R_FD_SYNC) |                          \
     WASI_RIGHT(WASI_R_FD_ADVISE) | WASI_RIGHT(WASI_R_PATH_CREATE_DIRECTORY) |                       \
     WASI_RIGHT(WASI_R_PATH_CREATE_FILE) | WASI_RIGHT(WASI_R_PATH_LINK_SOURCE) |                     \
     WASI_RIGHT(WASI_R_PATH_LINK_TARGET) | WASI_RIGHT(WASI_R_PATH_OPEN) |                            \
     WASI_RIGHT(WASI_R_FD_READDIR) | WASI_RIGHT(WASI_R_PATH_READLINK) |                              \
     WASI_RIGHT(WASI_R_PATH_RENAME_SOURCE) | WASI_RIGHT(WASI_R_PATH_RENAME_TARGET) |                 \
     WASI_RIGHT(WASI_R_PATH_FILESTAT_GET) | WASI_RIGHT(WASI_R_PATH_FILESTAT_SET_SIZE) |              \
     WASI_RIGHT(WASI_R_PATH_FILESTAT_SET_TIMES) | WASI_RIGHT(WASI_R_FD_FILESTAT_GET) |               \
     WASI_RIGHT(WASI_R_FD_FILESTAT_SET_TIMES) | WASI_RIGHT(WASI_R_PATH_SYMLINK) |                    \
     WASI_RIGHT(WASI_R_PATH_REMOVE_DIRECTORY) | WASI_RIGHT(WASI_R_PATH_UNLINK_FILE) |                \
     WASI_RIGHT(WASI_R_POLL_FD_READWRITE))
/* Streams that cannot seek: terminals, pipes (and sockets, plus their own). */
#define WASI_RIGHTS_STREAM                                                                          \
    (WASI_RIGHT(WASI_R_FD_READ) | WASI_RIGHT(WASI_R_FD_FDSTAT_SET_FLAGS) | WASI_RIGHT(WASI_R_FD_WRITE) | \
     WASI_RIGHT(WASI_R_FD_FILESTAT_GET) | WASI_RIGHT(WASI_R_POLL_FD_READWRITE))
#define WASI_RIGHTS_SOCKET \
    (WASI_RIGHTS_STREAM | WASI_RIGHT(WASI_R_SOCK_SHUTDOWN) | WASI_RIGHT(WASI_R_SOCK_ACCEPT))
/* Rights that modify the file system; removed beneath read-only preopens. */
#define WASI_RIGHTS_WRITING                                                                        \
    (WASI_RIGHT(0) | WASI_RIGHT(3) | WASI_RIGHT(4) | WASI_RIGHT(6) | WASI_RIGHT(8) | WASI_RIGHT(9) | \
     WASI_RIGHT(10) | WASI_RIGHT(11) | WASI_RIGHT(12) | WASI_RIGHT(16) | WASI_RIGHT(17) |           \
     WASI_RIGHT(19) | WASI_RIGHT(20) | WASI_RIGHT(22) | WASI_RIGHT(23) | WASI_RIGHT(24) |           \
     WASI_RIGHT(25) | WASI_RIGHT(26))

typedef enum wasi_fdkind {
    WASI_FD_FREE = 0,
    WASI_FD_FILE,   /* a regular file or other non-directory opened by path_open */
    WASI_FD_DIR,    /* a directory (pre-opened or opened beneath one) */
    WASI_FD_STDIO,  /* one of the host streams given as 0, 1, 2 */
    WASI_FD_SOCKET, /* a pre-opened or accepted socket */
} wasi_fdkind;

/* A directory's entries, read once when fd_readdir starts at cookie 0, so
 * that cookies are stable indices. */
typedef struct wasi_dirlist {
    uint32_t n;
    struct wasi_dirent_rec {
        uint64_t ino;
        uint8_t type;
        uint32_t namelen;
        char *name;
    } *e;
} wasi_dirlist;

typedef struct wasi_fd {
    wasi_fdkind kind;
    int host;               /* host descriptor; -1 when closed */
    bool readonly;          /* beneath a read-only preopen */
    bool is_preopen;
    char *preopen_name;     /* for fd_prestat_dir_name */
    uint16_t fdflags;
    uint8_t filetype;
    uint64_t rights_base, rights_inheriting;
    wasi_dirlist *dir;      /* directories: cached entries for fd_readdir */
} wasi_fd;

struct aw_wasi {
    char **argv;
    int argc;
    char **env;
    int envc;
    wasi_fd *fds;
    uint32_t nfds;          /* slots in fds */
    struct wasi_binding *bindings; /* wasi.c: host-function data bound to this context */
};

/* One call's view: the context and the caller's memory. */
typedef struct wasi_call {
    aw_wasi *w;
    aw_caller *caller;
    uint8_t *mem;
    uint64_t size;
} wasi_call;

/* A pointer to len bytes at guest address addr, or NULL if out of bounds. */
static inline void *wasi_mem(wasi_call *c, uint32_t addr, uint64_t len) {
    if (!c->mem || (uint64_t)addr + len > c->size) return NULL;
    return c->mem + addr;
}
static inline void wasi_put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void wasi_put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void wasi_put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint32_t wasi_get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t wasi_get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
/* Writes a u32/u64 result, or returns false (the caller answers EFAULT). */
bool wasi_store_u32(wasi_call *c, uint32_t addr, uint32_t v);
bool wasi_store_u64(wasi_call *c, uint32_t addr, uint64_t v);

/* Host errno -> WASI errno. */
uint16_t wasi_errno(int host_errno);

/* Descriptor table (wasi_fd.c). */
wasi_fd *wasi_fd_get(aw_wasi *w, uint32_t fd);           /* NULL if not open */
int64_t wasi_fd_alloc(aw_wasi *w);                       /* lowest free slot, or -1 */
void wasi_fd_release(wasi_fd *f);
void wasi_dirlist_free(wasi_dirlist *d);
uint8_t wasi_filetype_of_mode(unsigned mode);
/* Fill a 64-byte filestat from a host struct stat. */
void wasi_put_filestat(uint8_t *out, const void *host_stat);

/* The function implementations, registered by wasi.c. Each takes the
 * arguments as slots and returns a WASI errno (proc_exit excepted). */
typedef uint32_t (*wasi_impl)(wasi_call *c, const uint64_t *a);

#define WASI_IMPL(name) uint32_t wasi_##name(wasi_call *c, const uint64_t *a)
/* wasi_fd.c */
WASI_IMPL(fd_advise); WASI_IMPL(fd_allocate); WASI_IMPL(fd_close); WASI_IMPL(fd_datasync);
WASI_IMPL(fd_fdstat_get); WASI_IMPL(fd_fdstat_set_flags); WASI_IMPL(fd_fdstat_set_rights);
WASI_IMPL(fd_filestat_get); WASI_IMPL(fd_filestat_set_size); WASI_IMPL(fd_filestat_set_times);
WASI_IMPL(fd_pread); WASI_IMPL(fd_prestat_get); WASI_IMPL(fd_prestat_dir_name);
WASI_IMPL(fd_pwrite); WASI_IMPL(fd_read); WASI_IMPL(fd_readdir); WASI_IMPL(fd_renumber);
WASI_IMPL(fd_seek); WASI_IMPL(fd_sync); WASI_IMPL(fd_tell); WASI_IMPL(fd_write);
/* wasi_path.c */
WASI_IMPL(path_create_directory); WASI_IMPL(path_filestat_get); WASI_IMPL(path_filestat_set_times);
WASI_IMPL(path_link); WASI_IMPL(path_open); WASI_IMPL(path_readlink);
WASI_IMPL(path_remove_directory); WASI_IMPL(path_rename); WASI_IMPL(path_symlink);
WASI_IMPL(path_unlink_file);
/* wasi_poll.c */
WASI_IMPL(poll_oneoff); WASI_IMPL(sock_accept); WASI_IMPL(sock_recv); WASI_IMPL(sock_send);
WASI_IMPL(sock_shutdown);

#endif
