/*
 * instance.c — aw_instantiate: import matching, allocation, constant
 * expressions, element and data segment initialisation, the start function.
 *
 * Instantiating is made cheap for the HTTP host, which creates an instance
 * per request: the first instantiation of a module prepares an image
 * (m->image) holding everything that does not depend on the imports:
 *   - the layout of one allocation holding the instance and all its arrays
 *     and defined objects (functions, tables, memories, globals, segment items);
 *   - the initial values of globals whose initialiser is a constant;
 *   - the function names (export or "name" section) used in traps;
 *   - when every active data segment has a constant, in-bounds offset and
 *     there is enough data to be worth it, a memfd holding the initialised
 *     pages of memory 0, mapped copy-on-write (MAP_PRIVATE) into each new
 *     instance's memory instead of copying the segments (from the second
 *     instance on: the first copies them).
 * The image is built once, without a lock: racing builders each make one
 * and all but the first to publish it throw theirs away.
 *
 * A snapshot (aw_module_snapshot) adds to the image the state of an
 * instance after its initialiser ran: memory 0 as a second copy-on-write
 * image (its size included), the defined globals' values, and which
 * segments were dropped. Instances made afterwards start from it and skip
 * the data segments and the start function; element segments are still
 * applied, since a snapshot is refused unless the tables are exactly what
 * they make.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wasm/runtime.h"
#include "wasm/llvm_jit.h"
#include "wasm/tierup.h"

/* With fewer bytes of data than this, segments are copied at each
 * instantiation instead. Mapping is as cheap as copying even for a few
 * bytes once the image's reservations are pooled (memory.c), so any data
 * at all is worth an image. */
#ifndef WASM_IMAGE_MIN_BYTES
#define WASM_IMAGE_MIN_BYTES 1u
#endif

typedef struct global_init {
    bool constant; /* value is known before any import is seen */
    wasm_slot value[2];
} global_init;

/* An instance's state after its initialiser (see the top of the file). */
typedef struct wasm_snapshot {
    wasm_slot (*globals)[2];  /* per defined global */
    uint32_t *elem_len;       /* per element segment: its length then (0 = dropped) */
    uint32_t *data_len;       /* per data segment */
    bool has_mem;
    wasm_memory_image mem;    /* memory 0 then, min_pages = its size then */
} wasm_snapshot;

typedef struct wasm_image {
    /* Byte offsets into the instance's single allocation. */
    size_t size, off_funcs, off_tables, off_mems, off_globals, off_elems, off_data_len,
        off_defined, off_deftables, off_defmems, off_defglobals, off_items;
    uint32_t *item_start;   /* per element segment: first entry in items */
    const char **names;     /* per defined function: export or debug name */
    global_init *globals;   /* per defined global */
    /* Memory 0's initialised pages and pooled reservations: built at the
     * second instantiation and published once (memory_image). NULL until
     * then, NO_IMAGE when the module's data rules one out. The first
     * instance copies its segments: a module instantiated once, as by
     * `anywhere run`, would pay a memfd's system calls for nothing. */
    wasm_memory_image *mem;
    uint32_t made;          /* instantiations that asked for it (atomic) */
    wasm_snapshot *snap;    /* published once by aw_module_snapshot, or NULL */
} wasm_image;

/* ---- errors --------------------------------------------------------------- */

static void set_error(aw_error *err, aw_errkind kind, const char *fmt, const char *a,
                      const char *b) {
    if (!err) return;
    err->kind = kind;
    err->trap = AW_TRAP_NONE;
    err->func_index = UINT32_MAX;
    err->offset = UINT64_MAX;
    err->exit_code = 0;
    if (!*fmt) err->message[0] = '\0';
    else snprintf(err->message, sizeof err->message, fmt, a, b);
}

/* ---- constant expressions ------------------------------------------------- */

/* Evaluates c. With inst NULL (preparing the image), returns false for the
 * expressions that depend on the instance (global.get, ref.func). */
static bool const_eval(const wasm_constexpr *c, const aw_instance *inst, wasm_slot out[2]) {
    out[0].i64 = out[1].i64 = 0;
    switch (c->op) {
    case WASM_CONST_I32:
    case WASM_CONST_F32: memcpy(&out[0].i32, c->bytes, 4); return true;
    case WASM_CONST_I64:
    case WASM_CONST_F64: memcpy(&out[0].i64, c->bytes, 8); return true;
    case WASM_CONST_V128: memcpy(out, c->bytes, 16); return true;
    case WASM_CONST_REF_NULL: out[0].ref = NULL; return true;
    case WASM_CONST_GLOBAL_GET:
        if (!inst) return false;
        memcpy(out, inst->globals[c->index]->value, 2 * sizeof(wasm_slot));
        return true;
    case WASM_CONST_REF_FUNC:
        if (!inst) return false;
        out[0].ref = inst->funcs[c->index];
        return true;
    }
    return false;
}

/* ---- the image ------------------------------------------------------------ */

static size_t layout(size_t *at, size_t count, size_t elem) {
    size_t off = (*at + 15) & ~(size_t)15;
    *at = off + count * elem;
    return off;
}

static void snapshot_destroy(wasm_snapshot *sn) {
    if (!sn) return;
    if (sn->has_mem) wasm_memory_image_destroy(&sn->mem);
    free(sn->globals);
    free(sn->elem_len);
    free(sn->data_len);
    free(sn);
}

/* wasm_image.mem when the module cannot have a memory image: an address
 * only, never written. */
static wasm_memory_image no_image;
#define NO_IMAGE (&no_image)

static void memory_image_free(wasm_memory_image *mi) {
    if (!mi || mi == NO_IMAGE) return;
    wasm_memory_image_destroy(mi);
    free(mi);
}

static void image_destroy(wasm_image *img) {
    if (!img) return;
    snapshot_destroy(img->snap);
    memory_image_free(img->mem);
    free(img->item_start);
    free(img->names);
    free(img->globals);
    free(img);
}

void wasm_image_free(aw_module *m) {
    image_destroy(m->image);
    m->image = NULL;
    wasm_tierup_free(m); /* AW_TIER_AUTO: waits for a compilation still running */
    wasm_jit_free(m); /* the compiled tier's code, when the module has one */
}

static void image_layout(wasm_image *img, const aw_module *m) {
    uint32_t ndef_funcs = m->nfuncs - m->nfunc_imports;
    uint32_t nitems = 0;
    for (uint32_t i = 0; i < m->nelems; i++) {
        img->item_start[i] = nitems;
        nitems += m->elems[i].count;
    }
    size_t at = 0;
    layout(&at, 1, sizeof(aw_instance));
    img->off_funcs = layout(&at, m->nfuncs, sizeof(aw_func *));
    img->off_tables = layout(&at, m->ntables, sizeof(aw_table *));
    img->off_mems = layout(&at, m->nmems, sizeof(aw_memory *));
    img->off_globals = layout(&at, m->nglobals, sizeof(aw_global *));
    img->off_elems = layout(&at, m->nelems, sizeof(wasm_elem_rt));
    img->off_data_len = layout(&at, m->ndatas, sizeof(uint32_t));
    img->off_defined = layout(&at, ndef_funcs, sizeof(aw_func));
    img->off_deftables = layout(&at, m->ntables - m->ntable_imports, sizeof(aw_table));
    img->off_defmems = layout(&at, m->nmems - m->nmem_imports, sizeof(aw_memory));
    img->off_defglobals = layout(&at, m->nglobals - m->nglobal_imports, sizeof(aw_global));
    img->off_items = layout(&at, nitems, sizeof(void *));
    img->size = at;
}

static void image_names(wasm_image *img, const aw_module *m) {
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++)
        img->names[i - m->nfunc_imports] = m->func_names ? m->func_names[i] : NULL;
    /* An export name wins: it is what the embedder knows the function by. */
    for (uint32_t i = m->nexports; i-- > 0;) {
        const wasm_export *e = &m->exports[i];
        if (e->kind == AW_EXTERN_FUNC && e->index >= m->nfunc_imports)
            img->names[e->index - m->nfunc_imports] = e->name;
    }
}

/* Builds the copy-on-write image of memory 0 when it is defined here and
 * every active data segment writes inside its initial size at a constant
 * offset (so that none can trap); NULL otherwise. */
static wasm_memory_image *memory_image_build(const aw_module *m) {
    if (m->nmems != 1 || m->nmem_imports != 0) return NULL;
    uint64_t initial = (uint64_t)m->mems[0].min * WASM_PAGE_SIZE, end = 0, bytes = 0;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wasm_dataseg *d = &m->datas[i];
        if (d->mode != WASM_SEG_ACTIVE) continue;
        if (d->memory != 0 || d->offset.op != WASM_CONST_I32) return NULL;
        uint32_t off;
        memcpy(&off, d->offset.bytes, 4);
        if ((uint64_t)off + d->len > initial) return NULL;
        if ((uint64_t)off + d->len > end) end = (uint64_t)off + d->len;
        bytes += d->len;
    }
    if (bytes < WASM_IMAGE_MIN_BYTES) return NULL;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t len = (size_t)((end + page - 1) / page * page);
    int fd = memfd_create("aw-memory-image", MFD_CLOEXEC);
    if (fd < 0) return NULL;
    bool ok = ftruncate(fd, (off_t)len) == 0;
    for (uint32_t i = 0; ok && i < m->ndatas; i++) {
        const wasm_dataseg *d = &m->datas[i];
        if (d->mode != WASM_SEG_ACTIVE || d->len == 0) continue;
        uint32_t off;
        memcpy(&off, d->offset.bytes, 4);
        ok = pwrite(fd, d->bytes, d->len, off) == (ssize_t)d->len;
    }
    wasm_memory_image *mi = ok ? malloc(sizeof *mi) : NULL;
    if (!mi || !wasm_memory_image_init(mi, fd, len, m->mems[0].min)) {
        free(mi);
        close(fd);
        return NULL;
    }
    return mi;
}

/* The memory image for an instance about to be made, or NULL: the segments
 * are then copied (the first instance; a module without an image). Racing
 * builders each make one; all but the first to publish throw theirs away. */
static wasm_memory_image *memory_image(wasm_image *img, const aw_module *m) {
    wasm_memory_image *mi = __atomic_load_n(&img->mem, __ATOMIC_ACQUIRE);
    if (mi) return mi == NO_IMAGE ? NULL : mi;
    if (__atomic_fetch_add(&img->made, 1, __ATOMIC_RELAXED) == 0) return NULL;
    wasm_memory_image *mine = memory_image_build(m), *expected = NULL;
    if (!mine) mine = NO_IMAGE;
    if (!__atomic_compare_exchange_n(&img->mem, &expected, mine, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        memory_image_free(mine);
        mine = expected;
    }
    return mine == NO_IMAGE ? NULL : mine;
}

static wasm_image *image_build(const aw_module *m) {
    uint32_t ndef_funcs = m->nfuncs - m->nfunc_imports;
    uint32_t ndef_globals = m->nglobals - m->nglobal_imports;
    wasm_image *img = calloc(1, sizeof *img);
    if (!img) return NULL;
    img->item_start = calloc(m->nelems + 1, sizeof *img->item_start);
    img->names = calloc(ndef_funcs + 1, sizeof *img->names);
    img->globals = calloc(ndef_globals + 1, sizeof *img->globals);
    if (!img->item_start || !img->names || !img->globals) {
        image_destroy(img);
        return NULL;
    }
    image_layout(img, m);
    image_names(img, m);
    for (uint32_t i = 0; i < ndef_globals; i++)
        img->globals[i].constant = const_eval(&m->global_inits[i], NULL, img->globals[i].value);
    return img;
}

static wasm_image *image_get(aw_module *m) {
    void *ready = __atomic_load_n(&m->image, __ATOMIC_ACQUIRE);
    if (ready) return ready;
    wasm_image *mine = image_build(m);
    if (!mine) return NULL;
    void *expected = NULL;
    if (__atomic_compare_exchange_n(&m->image, &expected, mine, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return mine;
    image_destroy(mine);
    return expected;
}

/* ---- import matching ------------------------------------------------------ */

static bool functype_equal(const wasm_functype *a, const wasm_functype *b) {
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           memcmp(a->types, b->types, (a->nparams + a->nresults) * sizeof(aw_valtype)) == 0;
}

/* Limits subtyping: the actual limits {min, max} match the declared ones. */
static bool limits_match(uint32_t min, uint32_t max, aw_limits want) {
    if (min < want.min) return false;
    if (want.max == WASM_NO_MAX) return true;
    return max != WASM_NO_MAX && max <= want.max;
}

static bool import_matches(const aw_module *m, const wasm_import *imp, const aw_extern *ext) {
    if (ext->kind != imp->kind) return false;
    switch (imp->kind) {
    case AW_EXTERN_FUNC: return functype_equal(ext->of.func->type, &m->types[imp->of.func_type]);
    case AW_EXTERN_TABLE: {
        const aw_table *t = ext->of.table;
        return t->type.elem == imp->of.table.elem &&
               limits_match(t->size, t->type.limits.max, imp->of.table.limits);
    }
    case AW_EXTERN_MEMORY: {
        const aw_memory *mem = ext->of.memory;
        return limits_match(mem->pages, mem->limits.max, imp->of.memory);
    }
    case AW_EXTERN_GLOBAL: {
        const aw_global *g = ext->of.global;
        return g->type.type == imp->of.global.type && g->type.mutable_ == imp->of.global.mutable_;
    }
    }
    return false;
}

static bool extern_present(const aw_extern *ext) {
    switch (ext->kind) {
    case AW_EXTERN_FUNC: return ext->of.func != NULL;
    case AW_EXTERN_TABLE: return ext->of.table != NULL;
    case AW_EXTERN_MEMORY: return ext->of.memory != NULL;
    case AW_EXTERN_GLOBAL: return ext->of.global != NULL;
    }
    return false;
}

static bool check_imports(const aw_module *m, const aw_extern *imports, size_t nimports,
                          aw_error *err) {
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wasm_import *imp = &m->imports[i];
        if (i >= nimports || !extern_present(&imports[i])) {
            set_error(err, AW_ERR_LINK, "unknown import \"%s\" \"%s\"", imp->module, imp->name);
            return false;
        }
        if (!import_matches(m, imp, &imports[i])) {
            set_error(err, AW_ERR_LINK, "incompatible import type for \"%s\" \"%s\"", imp->module,
                      imp->name);
            return false;
        }
    }
    return true;
}

/* ---- allocation ----------------------------------------------------------- */

void wasm_instance_free(aw_instance *inst) {
    const aw_module *m = inst->module;
    wasm_image *img = m->image;
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) wasm_table_release(inst->tables[i]);
    for (uint32_t i = m->nmem_imports; i < m->nmems; i++) {
        /* The image the memory was mapped from, if any: memory.c checks
         * the descriptor again before pooling. */
        wasm_memory_image *from = img ? __atomic_load_n(&img->mem, __ATOMIC_ACQUIRE) : NULL;
        if (from == NO_IMAGE) from = NULL;
        wasm_snapshot *sn = img ? img->snap : NULL;
        if (sn && sn->has_mem && inst->mems[i]->image_fd == sn->mem.fd) from = &sn->mem;
        wasm_memory_release(inst->mems[i], from);
    }
    aw_module_release(inst->module);
    free(inst);
}

#define AT(type, off) ((type)(base + img->off))

/* Allocates the instance with its imports in place and its own functions,
 * tables, memories and globals made; nothing written to shared objects. */
static aw_instance *allocate(aw_store *s, aw_module *m, wasm_image *img, const wasm_snapshot *sn,
                             wasm_memory_image *mi, const aw_extern *imports, aw_error *err) {
    uint8_t *base = calloc(1, img->size);
    if (!base) {
        set_error(err, AW_ERR_RESOURCE, "%s%s", "out of memory for the instance", "");
        return NULL;
    }
    aw_instance *inst = (aw_instance *)base;
    aw_module_retain(m);
    inst->module = m;
    inst->store = s;
    inst->funcs = AT(aw_func **, off_funcs);
    inst->tables = AT(aw_table **, off_tables);
    inst->mems = AT(aw_memory **, off_mems);
    inst->globals = AT(aw_global **, off_globals);
    inst->elems = AT(wasm_elem_rt *, off_elems);
    inst->data_len = AT(uint32_t *, off_data_len);
    inst->defined = AT(aw_func *, off_defined);
    aw_table *tables = AT(aw_table *, off_deftables);
    aw_memory *mems = AT(aw_memory *, off_defmems);
    aw_global *globals = AT(aw_global *, off_defglobals);
    void **items = AT(void **, off_items);

    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        switch (imports[i].kind) {
        case AW_EXTERN_FUNC: inst->funcs[nf++] = imports[i].of.func; break;
        case AW_EXTERN_TABLE: inst->tables[nt++] = imports[i].of.table; break;
        case AW_EXTERN_MEMORY: inst->mems[nm++] = imports[i].of.memory; break;
        case AW_EXTERN_GLOBAL: inst->globals[ng++] = imports[i].of.global; break;
        }
    }
    for (uint32_t i = nf; i < m->nfuncs; i++) {
        aw_func *f = &inst->defined[i - nf];
        uint32_t d = i - nf;
        f->type = &m->types[m->func_types[i]];
        f->inst = inst;
        f->index = i;
        f->code = m->funcs[d].code;
        f->name = img->names[d];
        inst->funcs[i] = f;
    }
    bool ok = true;
    for (uint32_t i = nt; i < m->ntables; i++) {
        inst->tables[i] = &tables[i - nt];
        ok = ok && wasm_table_init(inst->tables[i], m->tables[i]);
    }
    for (uint32_t i = nm; i < m->nmems; i++) {
        inst->mems[i] = &mems[i - nm];
        uint32_t cap = s->config.max_memory_pages;
        if (i == 0 && sn && sn->has_mem) {
            aw_limits at = {sn->mem.min_pages, m->mems[0].max};
            ok = ok && wasm_memory_init_image(inst->mems[0], at, cap, (wasm_memory_image *)&sn->mem);
            inst->mems[0]->limits = m->mems[0]; /* the declared type, not the size then */
        } else if (i == 0 && mi)
            ok = ok && wasm_memory_init_image(inst->mems[0], m->mems[0], cap, mi);
        else
            ok = ok && wasm_memory_init(inst->mems[i], m->mems[i], cap);
    }
    /* Globals in order: in Wasm 2.0 an initialiser reads only imported
     * globals, which are all in place already. */
    for (uint32_t i = ng; i < m->nglobals; i++) {
        aw_global *g = &globals[i - ng];
        const global_init *gi = &img->globals[i - ng];
        g->type = m->globals[i];
        if (sn)
            memcpy(g->value, sn->globals[i - ng], sizeof g->value);
        else if (gi->constant)
            memcpy(g->value, gi->value, sizeof g->value);
        else
            const_eval(&m->global_inits[i - ng], inst, g->value);
        inst->globals[i] = g;
    }
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wasm_elemseg *e = &m->elems[i];
        wasm_elem_rt *rt = &inst->elems[i];
        rt->items = items + img->item_start[i];
        rt->len = e->count;
        for (uint32_t k = 0; k < e->count; k++) {
            wasm_slot v[2];
            const_eval(&e->items[k], inst, v);
            rt->items[k] = v[0].ref;
        }
    }
    for (uint32_t i = 0; i < m->ndatas; i++) inst->data_len[i] = m->datas[i].len;
    if (ok && m->jit && !wasm_jit_instance_init(inst, err)) {
        wasm_instance_free(inst);
        return NULL;
    }
    if (ok && m->tierup) wasm_tierup_instance_init(inst); /* compiled code, when ready */
    if (!ok) {
        uint32_t cap = s->config.max_memory_pages;
        uint32_t min = nm < m->nmems ? m->mems[nm].min : 0;
        if (nm == 0 && sn && sn->has_mem) min = sn->mem.min_pages;
        if (nm < m->nmems && cap && min > cap) {
            char n[64];
            snprintf(n, sizeof n, "%u pages, over the store's cap of %u", min, cap);
            set_error(err, AW_ERR_RESOURCE, "memory %s%s", n, "");
        } else {
            set_error(err, AW_ERR_RESOURCE, "%s%s", "cannot allocate the instance's tables or ",
                      "memories (out of memory or address space)");
        }
        wasm_instance_free(inst);
        return NULL;
    }
    return inst;
}

/* ---- segments ------------------------------------------------------------- */

static uint32_t offset_of(const wasm_constexpr *c, const aw_instance *inst) {
    wasm_slot v[2];
    const_eval(c, inst, v);
    return v[0].i32;
}

/* Active element segments do table.init then elem.drop, declarative ones
 * elem.drop, in order; the first out-of-bounds one traps, leaving the
 * writes of those before it in place. */
static bool init_elems(aw_instance *inst, aw_error *err) {
    const aw_module *m = inst->module;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wasm_elemseg *e = &m->elems[i];
        wasm_elem_rt *rt = &inst->elems[i];
        if (e->mode == WASM_SEG_PASSIVE) continue;
        if (e->mode == WASM_SEG_ACTIVE) {
            aw_table *t = inst->tables[e->table];
            uint32_t off = offset_of(&e->offset, inst);
            if ((uint64_t)off + rt->len > t->size) {
                wasm_trap(err, AW_TRAP_TABLE_OOB, UINT32_MAX, UINT64_MAX);
                return false;
            }
            if (rt->len) memcpy(t->elems + off, rt->items, rt->len * sizeof(void *));
        }
        rt->len = 0;
    }
    return true;
}

/* Active data segments do memory.init then data.drop, in order. When the
 * image already holds them, only the drops remain. */
static bool init_datas(aw_instance *inst, bool in_image, aw_error *err) {
    const aw_module *m = inst->module;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wasm_dataseg *d = &m->datas[i];
        if (d->mode != WASM_SEG_ACTIVE) continue;
        if (!in_image) {
            aw_memory *mem = inst->mems[d->memory];
            uint32_t off = offset_of(&d->offset, inst);
            if ((uint64_t)off + d->len > mem->size) {
                wasm_trap(err, AW_TRAP_MEMORY_OOB, UINT32_MAX, UINT64_MAX);
                return false;
            }
            if (d->len) memcpy(mem->data + off, d->bytes, d->len);
        }
        inst->data_len[i] = 0;
    }
    return true;
}

/* ---- snapshots ------------------------------------------------------------ */

/* The rest of instantiating from a snapshot: tables as the element segments
 * make them (the snapshot was refused otherwise), then the segments' state
 * as the initialiser left it; no data copy, no start function. */
static aw_instance *from_snapshot(aw_instance *inst, const wasm_snapshot *sn, aw_error *err) {
    const aw_module *m = inst->module;
    if (!init_elems(inst, err)) return NULL;
    for (uint32_t i = 0; i < m->nelems; i++) inst->elems[i].len = sn->elem_len[i];
    for (uint32_t i = 0; i < m->ndatas; i++) inst->data_len[i] = sn->data_len[i];
    return inst;
}

/* Whether every defined table holds exactly what the element segments put
 * there at instantiation (the items are still in inst->elems). */
static bool tables_pristine(const aw_instance *inst) {
    const aw_module *m = inst->module;
    for (uint32_t ti = 0; ti < m->ntables; ti++) {
        const aw_table *t = inst->tables[ti];
        if (t->size != m->tables[ti].limits.min) return false;
        void **want = calloc(t->size + 1, sizeof *want);
        if (!want) return false;
        for (uint32_t i = 0; i < m->nelems; i++) {
            const wasm_elemseg *e = &m->elems[i];
            if (e->mode != WASM_SEG_ACTIVE || e->table != ti) continue;
            uint32_t off = offset_of(&e->offset, inst);
            if ((uint64_t)off + e->count <= t->size && e->count)
                memcpy(want + off, inst->elems[i].items, e->count * sizeof(void *));
        }
        bool same = !t->size || memcmp(want, t->elems, t->size * sizeof(void *)) == 0;
        free(want);
        if (!same) return false;
    }
    return true;
}

static bool all_zero(const uint8_t *p, size_t n) {
    const uint64_t *w = (const uint64_t *)p;
    for (size_t i = 0; i < n / 8; i++)
        if (w[i]) return false;
    return true;
}

/* Memory 0's contents as a sparse memfd (zero pages are holes). */
static bool snapshot_memory(wasm_snapshot *sn, const aw_memory *mem) {
    int fd = memfd_create("aw-memory-snapshot", MFD_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ftruncate(fd, (off_t)mem->size) == 0;
    const size_t chunk = 4096;
    for (uint64_t at = 0; ok && at < mem->size; at += chunk)
        if (!all_zero(mem->data + at, chunk))
            ok = pwrite(fd, mem->data + at, chunk, (off_t)at) == (ssize_t)chunk;
    if (!ok || !wasm_memory_image_init(&sn->mem, fd, (size_t)mem->size, mem->pages)) {
        close(fd);
        return false;
    }
    sn->has_mem = true;
    return true;
}

static bool refuse(aw_error *err, const char *why) {
    set_error(err, AW_ERR_RESOURCE, "cannot snapshot: %s%s", why, "");
    return false;
}

bool aw_module_snapshot(aw_module *m, const aw_instance *inst, aw_error *err) {
    aw_error local;
    if (!err) err = &local;
    wasm_image *img = __atomic_load_n(&m->image, __ATOMIC_ACQUIRE);
    if (!inst || inst->module != m || !img) return refuse(err, "the instance is not of this module");
    if (img->snap) return refuse(err, "the module has a snapshot already");
    if (m->nmem_imports || m->ntable_imports || m->nglobal_imports)
        return refuse(err, "the module imports a memory, table or global (state outside the instance)");
    if (m->nmems > 1) return refuse(err, "more than one memory");
    if (!tables_pristine(inst)) return refuse(err, "the initialiser changed a table");
    uint32_t ng = m->nglobals;
    for (uint32_t i = 0; i < ng; i++)
        if (wasm_is_reftype(m->globals[i].type) && inst->globals[i]->value[0].ref)
            return refuse(err, "a reference global holds a value");
    wasm_snapshot *sn = calloc(1, sizeof *sn);
    if (!sn) return refuse(err, "out of memory");
    sn->globals = calloc(ng + 1, sizeof *sn->globals);
    sn->elem_len = calloc(m->nelems + 1, sizeof *sn->elem_len);
    sn->data_len = calloc(m->ndatas + 1, sizeof *sn->data_len);
    bool ok = sn->globals && sn->elem_len && sn->data_len;
    for (uint32_t i = 0; ok && i < ng; i++) memcpy(sn->globals[i], inst->globals[i]->value, sizeof sn->globals[i]);
    for (uint32_t i = 0; ok && i < m->nelems; i++) sn->elem_len[i] = inst->elems[i].len;
    for (uint32_t i = 0; ok && i < m->ndatas; i++) sn->data_len[i] = inst->data_len[i];
    if (ok && m->nmems == 1) ok = snapshot_memory(sn, inst->mems[0]);
    wasm_snapshot *expected = NULL;
    if (!ok || !__atomic_compare_exchange_n(&img->snap, &expected, sn, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
        snapshot_destroy(sn);
        return refuse(err, ok ? "the module has a snapshot already" : "out of memory");
    }
    return true;
}

bool aw_module_has_snapshot(const aw_module *m) {
    const wasm_image *img = __atomic_load_n(&m->image, __ATOMIC_ACQUIRE);
    return img && __atomic_load_n(&img->snap, __ATOMIC_ACQUIRE);
}

/* ---- instantiation -------------------------------------------------------- */

aw_instance *aw_instantiate(aw_store *s, aw_module *m, const aw_extern *imports, size_t nimports,
                            aw_error *err) {
    aw_error local;
    if (!err) err = &local;
    set_error(err, AW_OK, "", "", ""); /* no formatting: snprintf's first use costs 30 us of page faults */
    if (!check_imports(m, imports, nimports, err)) return NULL;
    wasm_image *img = image_get(m);
    if (!img) {
        set_error(err, AW_ERR_RESOURCE, "%s%s", "out of memory", "");
        return NULL;
    }
    const wasm_snapshot *sn = __atomic_load_n(&img->snap, __ATOMIC_ACQUIRE);
    /* Read once: allocate maps it and init_datas then skips the segments. */
    wasm_memory_image *mi = sn && sn->has_mem ? NULL : memory_image(img, m);
    aw_instance *inst = allocate(s, m, img, sn, mi, imports, err);
    if (!inst) return NULL;
    /* From here on the instance belongs to the store even if a segment or
     * the start function traps: its functions may already sit in imported
     * tables, where the spec says they stay. */
    inst->next = s->instances;
    s->instances = inst;

    if (sn) return from_snapshot(inst, sn, err);
    bool in_image = mi != NULL;
    if (!init_elems(inst, err)) {
        /* No data segment was applied yet, but the image was mapped. */
        if (in_image) wasm_memory_zero(inst->mems[0]);
        return NULL;
    }
    if (!init_datas(inst, in_image, err)) return NULL;
    if (m->start != WASM_NONE) {
        wasm_slot slots[2];
        if (wasm_interp_call(s, inst->funcs[m->start], slots, err) != AW_OK) return NULL;
    }
    return inst;
}
