/*
 * anywhere/wasi.h — WASI preview 1 (wasi_snapshot_preview1) for guests.
 *
 * A WASI context is a capability set: arguments, environment variables,
 * the three standard streams, pre-opened directories (optionally
 * read-only) and pre-opened sockets. The guest sees nothing else: paths
 * are resolved beneath a pre-opened directory (openat2 RESOLVE_BENEATH, or
 * a component-by-component walk where the kernel lacks it), so `..`,
 * absolute paths and symlinks cannot leave it.
 *
 *   aw_wasi *w = aw_wasi_new(&cfg, errbuf, sizeof errbuf);
 *   aw_linker *l = aw_linker_new();
 *   aw_wasi_define(l, w);
 *   inst = aw_linker_instantiate(l, store, module, &err);
 *   aw_call(store, aw_instance_func(inst, "_start"), ...);   // AW_ERR_EXIT carries proc_exit's code
 */
#ifndef ANYWHERE_WASI_H
#define ANYWHERE_WASI_H

#include "anywhere/linker.h"
#include "anywhere/wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aw_wasi aw_wasi;

typedef struct aw_wasi_preopen {
    const char *host_path;  /* a directory on the host */
    const char *guest_path; /* the name the guest sees ("/data", "."); host_path if NULL */
    bool readonly;          /* no writes, creations, removals or renames beneath it */
} aw_wasi_preopen;

typedef struct aw_wasi_config {
    int argc;
    const char *const *argv; /* argv[0] is the program name the guest sees */
    int envc;
    const char *const *env;  /* "KEY=VALUE" strings */
    const aw_wasi_preopen *preopens;
    int npreopens;
    bool custom_stdio;       /* false: the guest's fds 0, 1, 2 are the host's */
    int stdio[3];            /* with custom_stdio: host fds (duplicated; -1 = closed) */
    const int *sockets;      /* pre-opened sockets (listening or connected), duplicated */
    int nsockets;
} aw_wasi_config;

/* Copies everything it needs from cfg. Fails, with a message in errbuf
 * naming the path, when a pre-opened directory cannot be opened. */
aw_wasi *aw_wasi_new(const aw_wasi_config *cfg, char *errbuf, size_t errlen);
void aw_wasi_free(aw_wasi *w);

/* Defines every wasi_snapshot_preview1 function in l. With w, the
 * functions act on w. With w NULL they act on the context found through
 * the calling store: aw_store_user_data() must then point to a struct whose
 * first member is an `aw_wasi *` (so one linker serves many requests). */
bool aw_wasi_define(aw_linker *l, aw_wasi *w);

#ifdef __cplusplus
}
#endif
#endif
