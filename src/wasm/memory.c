/*
 * memory.c — linear memories, tables and value stacks.
 *
 * A linear memory is one fixed reservation of address space (8 GiB,
 * PROT_NONE): 4 GiB for the largest 32-bit memory plus 4 GiB of guard so that
 * a compiled tier can bounds-check with guard pages (any i32 address plus a
 * 32-bit offset stays inside it). Growing only makes more of it accessible
 * with mprotect, so the base never moves. A fresh instance either maps its
 * module's prepared copy-on-write image (instance.c) over the first pages or
 * starts from zeroed pages.
 *
 * Reservations and default-size value stacks are reused through small pools:
 * the HTTP host makes a store and an instance per request, and an
 * mmap/munmap pair of 8 GiB costs more than the rest of instantiation.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "wasm/runtime.h"

#define RESERVE_BYTES (8ull << 30)
#define DEFAULT_STACK_BYTES (8u << 20)
#define POOL_MAX 32
/* Tables are arrays of pointers; a table.grow beyond this many entries
 * fails (returns -1) rather than allocating gigabytes: an implementation
 * limit the spec allows. */
#define TABLE_MAX_ENTRIES (10u * 1000 * 1000)

/* ---- pools of address-space regions -------------------------------------- */

/* A pool holds regions of one size, ready for reuse. Global because regions
 * outlive the stores that used them; guarded by its lock. */
typedef struct region_pool {
    pthread_mutex_t lock;
    size_t bytes;
    int n;
    void *items[POOL_MAX];
} region_pool;

static region_pool reservations = {PTHREAD_MUTEX_INITIALIZER, RESERVE_BYTES, 0, {0}};
static region_pool stacks = {PTHREAD_MUTEX_INITIALIZER, DEFAULT_STACK_BYTES, 0, {0}};

static void *pool_take(region_pool *p) {
    void *r = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->n > 0) r = p->items[--p->n];
    pthread_mutex_unlock(&p->lock);
    return r;
}

/* Returns false when the pool is full; the caller unmaps. */
static bool pool_put(region_pool *p, void *r) {
    bool kept = false;
    pthread_mutex_lock(&p->lock);
    if (p->n < POOL_MAX) p->items[p->n++] = r, kept = true;
    pthread_mutex_unlock(&p->lock);
    return kept;
}

static void *map_none(void *at, size_t bytes) {
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (at ? MAP_FIXED : 0);
    void *p = mmap(at, bytes, PROT_NONE, flags, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* ---- value stacks --------------------------------------------------------- */

/* Mapped, not malloc'd: an 8 MiB stack costs nothing until touched. A
 * pooled stack keeps the pages it touched (no need to clear them: validated
 * code never reads a slot it did not write), except beyond the first
 * 256 KiB, which are given back so a deep recursion does not pin memory. */
wasm_slot *wasm_stack_acquire(size_t bytes) {
    if (bytes == stacks.bytes) {
        void *r = pool_take(&stacks);
        if (r) return r;
    }
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void wasm_stack_release(wasm_slot *stack, size_t bytes) {
    if (!stack) return;
    const size_t keep = 256u << 10;
    if (bytes == stacks.bytes) {
        madvise((uint8_t *)stack + keep, bytes - keep, MADV_DONTNEED);
        if (pool_put(&stacks, stack)) return;
    }
    munmap(stack, bytes);
}

/* ---- linear memories ------------------------------------------------------ */

static bool commit(aw_memory *mem, uint64_t from, uint64_t to) {
    if (to <= from) return true;
    return mprotect(mem->data + from, to - from, PROT_READ | PROT_WRITE) == 0;
}

bool wasm_memory_init(aw_memory *mem, aw_limits pages, uint32_t store_cap) {
    memset(mem, 0, sizeof *mem);
    mem->image_fd = -1;
    mem->limits = pages;
    uint32_t cap = WASM_MAX_PAGES;
    if (pages.max != WASM_NO_MAX && pages.max < cap) cap = pages.max;
    if (store_cap && store_cap < cap) cap = store_cap;
    mem->cap_pages = cap;
    if (pages.min > cap) return false;

    void *base = pool_take(&reservations);
    if (!base) base = map_none(NULL, RESERVE_BYTES);
    if (!base) return false;
    mem->data = base;
    mem->reserved = RESERVE_BYTES;
    uint64_t bytes = (uint64_t)pages.min * WASM_PAGE_SIZE;
    if (!commit(mem, 0, bytes)) {
        wasm_memory_release(mem);
        return false;
    }
    mem->pages = pages.min;
    mem->size = bytes;
    return true;
}

/* The image's pages replace the first `len` bytes (len is a multiple of the
 * host page size and within the memory's current size); writes copy them. */
bool wasm_memory_map_image(aw_memory *mem, int fd, size_t len) {
    if (len == 0) return true;
    if (len > mem->size) return false;
    void *p = mmap(mem->data, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (p == MAP_FAILED) return false;
    mem->image_fd = fd;
    return true;
}

bool wasm_memory_zero(aw_memory *mem) {
    if (mem->size == 0) return true;
    if (!map_none(mem->data, mem->size)) return false;
    mem->image_fd = -1;
    return commit(mem, 0, mem->size);
}

/* Back to an untouched reservation (one mmap drops every page and any
 * image mapping), then into the pool. */
void wasm_memory_release(aw_memory *mem) {
    if (!mem->data) return;
    bool clean = mem->size == 0 || map_none(mem->data, mem->size) != NULL;
    if (!clean || mem->reserved != RESERVE_BYTES || !pool_put(&reservations, mem->data))
        munmap(mem->data, mem->reserved);
    mem->data = NULL;
    mem->size = 0;
    mem->pages = 0;
}

int64_t wasm_memory_grow(aw_memory *mem, uint32_t delta) {
    uint32_t old = mem->pages;
    if (delta == 0) return old;
    uint64_t want = (uint64_t)old + delta;
    if (want > mem->cap_pages || want > WASM_MAX_PAGES) return -1;
    uint64_t bytes = want * WASM_PAGE_SIZE;
    if (bytes > mem->reserved || !commit(mem, mem->size, bytes)) return -1;
    mem->pages = (uint32_t)want;
    mem->size = bytes;
    return old;
}

static void memory_free(void *p) {
    wasm_memory_release(p);
    free(p);
}

aw_memory *aw_memory_new(aw_store *s, aw_limits pages) {
    aw_memory *mem = malloc(sizeof *mem);
    if (!mem) return NULL;
    if (!wasm_memory_init(mem, pages, s->config.max_memory_pages)) {
        free(mem);
        return NULL;
    }
    if (!wasm_store_own(s, mem, memory_free)) {
        memory_free(mem);
        return NULL;
    }
    return mem;
}

uint8_t *aw_memory_data(aw_memory *mem) { return mem->data; }
uint64_t aw_memory_size(const aw_memory *mem) { return mem->size; }
uint32_t aw_memory_pages(const aw_memory *mem) { return mem->pages; }
int64_t aw_memory_grow(aw_memory *mem, uint32_t delta) { return wasm_memory_grow(mem, delta); }

/* ---- tables --------------------------------------------------------------- */

bool wasm_table_init(aw_table *t, wasm_tabletype type) {
    memset(t, 0, sizeof *t);
    t->type = type;
    if (type.limits.min > TABLE_MAX_ENTRIES) return false;
    t->size = type.limits.min;
    t->capacity = t->size;
    if (t->size) {
        t->elems = calloc(t->size, sizeof *t->elems);
        if (!t->elems) return false;
    }
    return true;
}

void wasm_table_release(aw_table *t) {
    free(t->elems);
    t->elems = NULL;
    t->size = t->capacity = 0;
}

int64_t wasm_table_grow(aw_table *t, uint32_t delta, void *init) {
    uint32_t old = t->size;
    uint64_t want = (uint64_t)old + delta;
    if (want > UINT32_MAX || want > TABLE_MAX_ENTRIES) return -1;
    if (t->type.limits.max != WASM_NO_MAX && want > t->type.limits.max) return -1;
    if (want > t->capacity) {
        uint64_t cap = t->capacity ? (uint64_t)t->capacity * 2 : 8;
        if (cap < want) cap = want;
        if (cap > TABLE_MAX_ENTRIES) cap = TABLE_MAX_ENTRIES;
        void **e = realloc(t->elems, cap * sizeof *e);
        if (!e) return -1;
        t->elems = e;
        t->capacity = (uint32_t)cap;
    }
    for (uint64_t i = old; i < want; i++) t->elems[i] = init;
    t->size = (uint32_t)want;
    t->type.limits.min = (uint32_t)want;
    return old;
}

static void table_free(void *p) {
    wasm_table_release(p);
    free(p);
}

aw_table *aw_table_new(aw_store *s, aw_valtype elem, aw_limits limits) {
    if (!wasm_is_reftype(elem)) return NULL;
    aw_table *t = malloc(sizeof *t);
    if (!t) return NULL;
    if (!wasm_table_init(t, (wasm_tabletype){elem, limits})) {
        table_free(t);
        return NULL;
    }
    if (!wasm_store_own(s, t, table_free)) {
        table_free(t);
        return NULL;
    }
    return t;
}

uint32_t aw_table_size(const aw_table *t) { return t->size; }
