/*
 * anywhere/linker.h — resolve a module's imports by name.
 *
 * aw_instantiate takes imports positionally; embedders (WASI, the HTTP
 * host, the CLI) think in names: "wasi_snapshot_preview1"."fd_write".
 * A linker holds named definitions and turns a module's import list into
 * the positional array, with an error naming module, field and type for
 * anything it cannot provide.
 *
 * A linker and its host functions may be shared by many stores and used to
 * instantiate from many threads once it is no longer being defined into.
 */
#ifndef ANYWHERE_LINKER_H
#define ANYWHERE_LINKER_H

#include "anywhere/wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aw_linker aw_linker;

aw_linker *aw_linker_new(void);
void aw_linker_free(aw_linker *l); /* also frees the host functions it made */

/* Defines module.name. A later definition of the same name replaces it. */
bool aw_linker_define(aw_linker *l, const char *module, const char *name, aw_extern ext);

/* Makes a host function owned by the linker and defines it. */
bool aw_linker_define_func(aw_linker *l, const char *module, const char *name,
                           const aw_valtype *params, uint32_t nparams, const aw_valtype *results,
                           uint32_t nresults, aw_host_fn fn, void *data);

/* Defines every export of inst under the module name (spec "register"). */
bool aw_linker_define_instance(aw_linker *l, const char *module, const aw_instance *inst);

/* When on, a function import the linker does not know is linked to a
 * function that traps when called ("unknown import M.N called"), so that
 * programs built for other hosts can run the parts that do not use it. */
void aw_linker_trap_unknown_imports(aw_linker *l, bool on);

/* Fills imports[0 .. aw_module_import_count(m)) for m. On failure returns
 * false with err (AW_ERR_LINK) naming the import, e.g.
 * "unknown import env.foo: function (i32, i32) -> i32". */
bool aw_linker_resolve(aw_linker *l, const aw_module *m, aw_extern *imports, aw_error *err);

/* Resolve, then aw_instantiate. */
aw_instance *aw_linker_instantiate(aw_linker *l, aw_store *s, aw_module *m, aw_error *err);

/* Writes a readable type, e.g. "function (i32, f64) -> i64" or
 * "memory {min 1, max 2}", into buf. */
void aw_externtype_format(const aw_externtype *t, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
