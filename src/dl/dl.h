/* dl.h — optional shared libraries loaded on first use.
 *
 * Why: every library the executable links is mapped and relocated at every
 * process start. Linking libcurl, SQLite, hiredis and OpenSSL makes the
 * dynamic loader map ~35 libraries (libcurl's chain: gnutls, krb5, ldap,
 * ...), several milliseconds that `anywhere run hello.wasm` would pay
 * without using any of them; even cJSON or libm costs 0.1-0.3 ms. So each
 * library has a shim holding a table of function pointers
 * (src/host/dl_curl.c, dl_sqlite.c, dl_hiredis.c, src/app/dl_openssl.c,
 * src/json/json.c, src/ai/libm.c): the first caller dlopen()s the library
 * by its soname and fills the table; a missing library becomes a clear
 * error on the caller's normal error path.
 *
 * This module sits below every layer (src/json and src/ai use it too) and
 * depends on nothing but libc and libdl.
 *
 * Built with AW_DL_DIRECT (`make DL_DIRECT=1`, mk/dl.mk) the libraries are
 * linked as usual and the same tables point at the linked functions: no
 * dlopen, the same call sites.
 *
 * A shim lists its functions once, as X(field, symbol) in a list macro;
 * AW_DL_FIELD turns the list into the table's struct, each pointer typed
 * from the library's own header (a wrong prototype cannot creep in), and
 * the shim's own macro into its aw_dl_sym list: name, offset in the table
 * and, under AW_DL_DIRECT, AW_DL_ADDR (the linked function).
 */
#ifndef AW_DL_DL_H
#define AW_DL_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* One function of a library: its name and where its pointer lives in the
 * shim's table. Under AW_DL_DIRECT, also its linked address. */
typedef struct aw_dl_sym {
    const char *name;
    size_t offset;
    void (*direct)(void);
} aw_dl_sym;

#define AW_DL_FIELD(field, sym) __typeof__(sym) *field;
#ifdef AW_DL_DIRECT
#define AW_DL_ADDR(sym) ((void (*)(void))(sym))
#else
#define AW_DL_ADDR(sym) NULL
#endif

/* A library: described by its shim; ok and error are written once, by
 * aw_dl_bind under the shim's pthread_once, and only read afterwards. */
typedef struct aw_dl_lib {
    const char *soname;       /* "libcurl.so.4" */
    const char *env;          /* names a replacement soname: for tests of a missing library */
    const char *need;         /* "outbound HTTP needs libcurl" */
    const char *package;      /* the Debian package to install: "libcurl4" */
    const aw_dl_sym *syms;
    size_t nsyms;
    void *table;              /* the shim's struct of function pointers */
    void (*after)(void);      /* run once when the table is bound (libcurl's global init), or NULL */
    bool ok;
    char error[400];
} aw_dl_lib;

/* Binds LIB's table; call once (AW_DL_LOADER does). */
void aw_dl_bind(aw_dl_lib *lib);
/* True when LIB's table can be used; else false with
 * "NEED (SONAME: why); install PACKAGE" in err. */
bool aw_dl_ok(const aw_dl_lib *lib, char *err, size_t errlen);

/* Defines `bool NAME(char *err, size_t errlen)`: binds LIB on the first
 * call from any thread (pthread_once), then answers aw_dl_ok. */
#define AW_DL_LOADER(name, lib)                                                                                        \
    static pthread_once_t name##_once = PTHREAD_ONCE_INIT;                                                             \
    static void name##_bind(void) { aw_dl_bind(&(lib)); }                                                              \
    bool name(char *err, size_t errlen) {                                                                              \
        pthread_once(&name##_once, name##_bind);                                                                       \
        return aw_dl_ok(&(lib), err, errlen);                                                                          \
    }

/* Each shim's table and loader, e.g. for libcurl:
 *   if (!aw_curl_load(err, errlen)) return error;
 *   CURL *c = aw_curl.easy_init();
 * A table is usable only after its loader returned true. */

#endif
