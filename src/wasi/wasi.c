/*
 * wasi.c — the WASI context and the parts of wasi_snapshot_preview1 that
 * are not about descriptors: arguments, environment, clocks, randomness,
 * process exit, scheduling; and the table that binds every function.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi/wasi_int.h"

/* ---- errno mapping and guest memory ------------------------------------ */

uint16_t wasi_errno(int e) {
    /* openat2 RESOLVE_BENEATH says EXDEV when a path would escape. */
    if (e == EXDEV) return WASI_ENOTCAPABLE;
    switch (e) {
    case 0: return WASI_ESUCCESS;
#define WASI_ERRNO_CASE(name, value) case E##name: return WASI_E##name;
    WASI_ERRNO_LIST(WASI_ERRNO_CASE)
#undef WASI_ERRNO_CASE
    default: return WASI_EIO;
    }
}

bool wasi_store_u32(wasi_call *c, uint32_t addr, uint32_t v) {
    uint8_t *p = wasi_mem(c, addr, 4);
    if (!p) return false;
    wasi_put_u32(p, v);
    return true;
}

bool wasi_store_u64(wasi_call *c, uint32_t addr, uint64_t v) {
    uint8_t *p = wasi_mem(c, addr, 8);
    if (!p) return false;
    wasi_put_u64(p, v);
    return true;
}

/* ---- args and environment ----------------------------------------------- */

/* argv-style vectors: pointers into one buffer of NUL-terminated strings. */
static uint32_t strings_get(wasi_call *c, char **v, int n, uint32_t ptrs, uint32_t buf) {
    uint64_t total = 0;
    for (int i = 0; i < n; i++) total += strlen(v[i]) + 1;
    uint8_t *pp = wasi_mem(c, ptrs, (uint64_t)n * 4), *bp = wasi_mem(c, buf, total);
    if (!pp || !bp) return WASI_EFAULT;
    uint32_t at = buf;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        wasi_put_u32(pp + 4 * i, at);
        memcpy(bp + (at - buf), v[i], len);
        at += (uint32_t)len;
    }
    return WASI_ESUCCESS;
}

static uint32_t strings_sizes(wasi_call *c, char **v, int n, uint32_t count_ptr, uint32_t size_ptr) {
    uint64_t total = 0;
    for (int i = 0; i < n; i++) total += strlen(v[i]) + 1;
    if (!wasi_store_u32(c, count_ptr, (uint32_t)n) || !wasi_store_u32(c, size_ptr, (uint32_t)total))
        return WASI_EFAULT;
    return WASI_ESUCCESS;
}

static WASI_IMPL(args_get) { return strings_get(c, c->w->argv, c->w->argc, (uint32_t)a[0], (uint32_t)a[1]); }
static WASI_IMPL(args_sizes_get) { return strings_sizes(c, c->w->argv, c->w->argc, (uint32_t)a[0], (uint32_t)a[1]); }
static WASI_IMPL(environ_get) { return strings_get(c, c->w->env, c->w->envc, (uint32_t)a[0], (uint32_t)a[1]); }
static WASI_IMPL(environ_sizes_get) { return strings_sizes(c, c->w->env, c->w->envc, (uint32_t)a[0], (uint32_t)a[1]); }

/* ---- clocks, random, scheduling ----------------------------------------- */

static bool host_clock(uint32_t id, clockid_t *out) {
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

static WASI_IMPL(clock_res_get) {
    clockid_t id;
    struct timespec ts;
    if (!host_clock((uint32_t)a[0], &id)) return WASI_EINVAL;
    if (clock_getres(id, &ts) != 0) return wasi_errno(errno);
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return wasi_store_u64(c, (uint32_t)a[1], ns) ? WASI_ESUCCESS : WASI_EFAULT;
}

static WASI_IMPL(clock_time_get) {
    clockid_t id;
    struct timespec ts;
    if (!host_clock((uint32_t)a[0], &id)) return WASI_EINVAL;
    if (clock_gettime(id, &ts) != 0) return wasi_errno(errno);
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return wasi_store_u64(c, (uint32_t)a[2], ns) ? WASI_ESUCCESS : WASI_EFAULT;
}

static WASI_IMPL(random_get) {
    uint32_t len = (uint32_t)a[1];
    uint8_t *p = wasi_mem(c, (uint32_t)a[0], len);
    if (!p) return WASI_EFAULT;
    for (uint32_t done = 0; done < len;) {
        ssize_t n = getrandom(p + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return wasi_errno(errno);
        }
        done += (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

static WASI_IMPL(sched_yield) {
    (void)c, (void)a;
    sched_yield();
    return WASI_ESUCCESS;
}

/* Raising a signal in the host on the guest's behalf is never allowed. */
static WASI_IMPL(proc_raise) {
    (void)c, (void)a;
    return WASI_ENOSYS;
}

/* ---- binding ------------------------------------------------------------ */

typedef struct wasi_def {
    const char *name;
    const char *params; /* i = i32, I = i64 */
    wasi_impl impl;
} wasi_def;

static const wasi_def wasi_defs[] = {
    {"args_get", "ii", wasi_args_get},
    {"args_sizes_get", "ii", wasi_args_sizes_get},
    {"environ_get", "ii", wasi_environ_get},
    {"environ_sizes_get", "ii", wasi_environ_sizes_get},
    {"clock_res_get", "ii", wasi_clock_res_get},
    {"clock_time_get", "iIi", wasi_clock_time_get},
    {"fd_advise", "iIIi", wasi_fd_advise},
    {"fd_allocate", "iII", wasi_fd_allocate},
    {"fd_close", "i", wasi_fd_close},
    {"fd_datasync", "i", wasi_fd_datasync},
    {"fd_fdstat_get", "ii", wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", wasi_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", wasi_fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", wasi_fd_filestat_get},
    {"fd_filestat_set_size", "iI", wasi_fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", wasi_fd_filestat_set_times},
    {"fd_pread", "iiiIi", wasi_fd_pread},
    {"fd_prestat_get", "ii", wasi_fd_prestat_get},
    {"fd_prestat_dir_name", "iii", wasi_fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", wasi_fd_pwrite},
    {"fd_read", "iiii", wasi_fd_read},
    {"fd_readdir", "iiiIi", wasi_fd_readdir},
    {"fd_renumber", "ii", wasi_fd_renumber},
    {"fd_seek", "iIii", wasi_fd_seek},
    {"fd_sync", "i", wasi_fd_sync},
    {"fd_tell", "ii", wasi_fd_tell},
    {"fd_write", "iiii", wasi_fd_write},
    {"path_create_directory", "iii", wasi_path_create_directory},
    {"path_filestat_get", "iiiii", wasi_path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", wasi_path_filestat_set_times},
    {"path_link", "iiiiiii", wasi_path_link},
    {"path_open", "iiiiiIIii", wasi_path_open},
    {"path_readlink", "iiiiii", wasi_path_readlink},
    {"path_remove_directory", "iii", wasi_path_remove_directory},
    {"path_rename", "iiiiii", wasi_path_rename},
    {"path_symlink", "iiiii", wasi_path_symlink},
    {"path_unlink_file", "iii", wasi_path_unlink_file},
    {"poll_oneoff", "iiii", wasi_poll_oneoff},
    {"proc_raise", "i", wasi_proc_raise},
    {"random_get", "ii", wasi_random_get},
    {"sched_yield", "", wasi_sched_yield},
    {"sock_accept", "iii", wasi_sock_accept},
    {"sock_recv", "iiiiii", wasi_sock_recv},
    {"sock_send", "iiiii", wasi_sock_send},
    {"sock_shutdown", "ii", wasi_sock_shutdown},
};
#define WASI_NDEFS (sizeof wasi_defs / sizeof wasi_defs[0])

/* A function bound to a context gets a binding as its data; an unbound one
 * (context found through the calling store) gets its const wasi_def. */
typedef struct wasi_binding {
    const wasi_def *def;
    aw_wasi *w;
} wasi_binding;

static int run_impl(aw_caller *caller, uint64_t *slots, const wasi_def *d, aw_wasi *w) {
    if (!w) return aw_caller_trap(caller, "WASI %s called without a WASI context", d->name);
    aw_memory *mem = aw_caller_memory(caller);
    wasi_call c = {.w = w, .caller = caller, .mem = mem ? aw_memory_data(mem) : NULL,
                   .size = mem ? aw_memory_size(mem) : 0};
    slots[0] = d->impl(&c, slots);
    return 0;
}

static int wasi_trampoline_bound(aw_caller *caller, uint64_t *slots, void *data) {
    const wasi_binding *b = data;
    return run_impl(caller, slots, b->def, b->w);
}

static int wasi_trampoline_store(aw_caller *caller, uint64_t *slots, void *data) {
    aw_wasi **holder = aw_store_user_data(aw_caller_store(caller));
    return run_impl(caller, slots, data, holder ? *holder : NULL);
}

static int wasi_proc_exit(aw_caller *caller, uint64_t *slots, void *data) {
    (void)data;
    return aw_caller_exit(caller, (int32_t)(uint32_t)slots[0]);
}

bool aw_wasi_define(aw_linker *l, aw_wasi *w) {
    static const aw_valtype i32 = AW_I32;
    wasi_binding *bindings = w ? w->bindings : NULL;
    for (size_t i = 0; i < WASI_NDEFS; i++) {
        const wasi_def *d = &wasi_defs[i];
        aw_valtype params[10];
        uint32_t np = 0;
        for (const char *p = d->params; *p; p++) params[np++] = *p == 'I' ? AW_I64 : AW_I32;
        void *data = (void *)d; /* only ever read */
        aw_host_fn fn = wasi_trampoline_store;
        if (w) {
            bindings[i] = (wasi_binding){d, w};
            data = &bindings[i], fn = wasi_trampoline_bound;
        }
        if (!aw_linker_define_func(l, "wasi_snapshot_preview1", d->name, params, np, &i32, 1, fn, data))
            return false;
    }
    return aw_linker_define_func(l, "wasi_snapshot_preview1", "proc_exit", &i32, 1, NULL, 0,
                                 wasi_proc_exit, NULL);
}

/* ---- the context -------------------------------------------------------- */

static char **copy_strings(const char *const *v, int n) {
    char **out = calloc((size_t)n + 1, sizeof *out);
    if (!out) return NULL;
    for (int i = 0; i < n; i++)
        if (!(out[i] = strdup(v[i]))) return out; /* caller frees what was copied */
    return out;
}

static void free_strings(char **v, int n) {
    if (!v) return;
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

static bool add_fd(aw_wasi *w, wasi_fd fd) {
    int64_t slot = wasi_fd_alloc(w);
    if (slot < 0) return false;
    w->fds[slot] = fd;
    return true;
}

static bool add_stdio(aw_wasi *w, const aw_wasi_config *cfg) {
    for (int i = 0; i < 3; i++) {
        int host = cfg->custom_stdio ? cfg->stdio[i] : i;
        int dup = host >= 0 ? fcntl(host, F_DUPFD_CLOEXEC, 3) : -1;
        struct stat st;
        uint8_t type = dup >= 0 && fstat(dup, &st) == 0 ? wasi_filetype_of_mode(st.st_mode)
                                                         : WASI_FILETYPE_CHARACTER_DEVICE;
        /* A redirected stream is a file the guest may seek; a terminal or
         * pipe is not (wasi-libc's isatty looks for exactly that). */
        uint64_t rights = type == WASI_FILETYPE_REGULAR_FILE ? WASI_RIGHTS_FILE : WASI_RIGHTS_STREAM;
        wasi_fd fd = {.kind = WASI_FD_STDIO, .host = dup, .filetype = type, .rights_base = rights};
        if (!add_fd(w, fd)) return false;
    }
    return true;
}

static bool add_preopen(aw_wasi *w, const aw_wasi_preopen *p, char *errbuf, size_t errlen) {
    int host = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (host < 0) {
        snprintf(errbuf, errlen, "cannot pre-open directory '%s': %s", p->host_path, strerror(errno));
        return false;
    }
    /* Read-only: the directory itself reports no writing rights, but
     * passes them on, so that wasi-libc still asks for FD_WRITE when the
     * program opens for writing, and the program gets EROFS ("read-only
     * file system") instead of a read-only descriptor it did not ask for. */
    uint64_t mask = p->readonly ? ~WASI_RIGHTS_WRITING : ~(uint64_t)0;
    wasi_fd fd = {.kind = WASI_FD_DIR, .host = host, .readonly = p->readonly, .is_preopen = true,
                  .preopen_name = strdup(p->guest_path ? p->guest_path : p->host_path),
                  .filetype = WASI_FILETYPE_DIRECTORY, .rights_base = WASI_RIGHTS_DIR & mask,
                  .rights_inheriting = WASI_RIGHTS_DIR | WASI_RIGHTS_FILE};
    if (!fd.preopen_name || !add_fd(w, fd)) {
        close(host);
        free(fd.preopen_name);
        snprintf(errbuf, errlen, "out of memory pre-opening '%s'", p->host_path);
        return false;
    }
    return true;
}

static bool add_socket(aw_wasi *w, int sock) {
    int dup = fcntl(sock, F_DUPFD_CLOEXEC, 3);
    if (dup < 0) return false;
    wasi_fd fd = {.kind = WASI_FD_SOCKET, .host = dup, .filetype = WASI_FILETYPE_SOCKET_STREAM,
                  .rights_base = WASI_RIGHTS_SOCKET};
    if (!add_fd(w, fd)) {
        close(dup);
        return false;
    }
    return true;
}

aw_wasi *aw_wasi_new(const aw_wasi_config *cfg, char *errbuf, size_t errlen) {
    static const aw_wasi_config empty;
    if (!cfg) cfg = &empty;
    aw_wasi *w = calloc(1, sizeof *w);
    if (!w) goto oom;
    w->argc = cfg->argc, w->envc = cfg->envc;
    w->argv = copy_strings(cfg->argv, cfg->argc);
    w->env = copy_strings(cfg->env, cfg->envc);
    w->bindings = calloc(WASI_NDEFS, sizeof(wasi_binding));
    if (!w->argv || !w->env || !w->bindings || !add_stdio(w, cfg)) goto oom;
    for (int i = 0; i < cfg->argc; i++)
        if (!w->argv[i]) goto oom;
    for (int i = 0; i < cfg->envc; i++)
        if (!w->env[i]) goto oom;
    for (int i = 0; i < cfg->npreopens; i++) {
        if (!add_preopen(w, &cfg->preopens[i], errbuf, errlen)) {
            aw_wasi_free(w);
            return NULL;
        }
    }
    for (int i = 0; i < cfg->nsockets; i++)
        if (!add_socket(w, cfg->sockets[i])) goto oom;
    return w;
oom:
    snprintf(errbuf, errlen, "out of memory creating the WASI context");
    aw_wasi_free(w);
    return NULL;
}

void aw_wasi_free(aw_wasi *w) {
    if (!w) return;
    for (uint32_t i = 0; i < w->nfds; i++) wasi_fd_release(&w->fds[i]);
    free(w->fds);
    free_strings(w->argv, w->argc);
    free_strings(w->env, w->envc);
    free(w->bindings);
    free(w);
}
