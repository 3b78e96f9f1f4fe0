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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wasm/runtime.h"

/* 8 GiB plus a page: an i32 index plus a u32 offset plus the widest access
 * (16 bytes) stays inside it, so compiled code needs no bounds checks. */
#define RESERVE_BYTES ((8ull << 30) + 65536)
#define DEFAULT_STACK_BYTES (8u << 20)
#define POOL_MAX 32
/* Tables are arrays of pointers; a table.grow beyond this many entries
 * fails (returns -1) rather than allocating gigabytes: an implementation
 * limit the spec allows. */
#define TABLE_MAX_ENTRIES (10u * 1000 * 1000)

/* ---- pools of address-space regions -------------------------------------- */

/* A pooled region: its base, and how many bytes at its start are
 * accessible (read-write, all zero pages: given back with MADV_DONTNEED). */
typedef struct region {
    uint8_t *base;
    uint64_t open;
} region;

/* A pool holds regions of one size, ready for reuse. Global because regions
 * outlive the stores that used them; guarded by its lock. */
typedef struct region_pool {
    pthread_mutex_t lock;
    size_t bytes;
    int n;
    region items[POOL_MAX];
} region_pool;

static region_pool reservations = {PTHREAD_MUTEX_INITIALIZER, RESERVE_BYTES, 0, {{0}}};
static region_pool stacks = {PTHREAD_MUTEX_INITIALIZER, DEFAULT_STACK_BYTES, 0, {{0}}};

/* Takes a region, preferring one whose open prefix is `open` bytes. */
static region pool_take(region_pool *p, uint64_t open) {
    region r = {NULL, 0};
    pthread_mutex_lock(&p->lock);
    if (p->n > 0) {
        int pick = p->n - 1;
        for (int i = p->n - 1; i >= 0; i--)
            if (p->items[i].open == open) {
                pick = i;
                break;
            }
        r = p->items[pick];
        p->items[pick] = p->items[--p->n];
    }
    pthread_mutex_unlock(&p->lock);
    return r;
}

/* Returns false when the pool is full; the caller unmaps. */
static bool pool_put(region_pool *p, region r) {
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

/* New value stacks and reservations go, while there is room, just above the
 * heap, one after the other: their first pages (a stack's bottom and top, a
 * memory's start) then sit in address space whose page tables exist
 * already. Under a hypervisor that shadows page tables, as on the CI's VM,
 * a region in untouched address space costs 50-100 us more to start using
 * (new page-table pages on its first touches), a third of instantiating a
 * small program; elsewhere it costs nothing. The heap's own growth past
 * HEAP_ROOM goes on in mmap'd chunks (glibc's fallback when brk is
 * blocked). Process-wide by nature (one address space): next_near is the
 * next free address there, advanced atomically; 0 until first used. */
#define HEAP_ROOM ((uintptr_t)1 << 20)
static _Atomic uintptr_t next_near;

static void *map_region(size_t bytes, int prot) {
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
#ifdef MAP_FIXED_NOREPLACE
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), at = atomic_load(&next_near);
    if (at == 0) at = ((uintptr_t)sbrk(0) + HEAP_ROOM + page - 1) & ~(page - 1);
    if (at != (uintptr_t)-1) {
        void *p = mmap((void *)at, bytes, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == (void *)at) {
            atomic_store(&next_near, at + bytes); /* a racing caller's mmap fails: see below */
            return p;
        }
        if (p != MAP_FAILED) munmap(p, bytes); /* a kernel before 4.17 took it as a hint */
        /* no room there (or a racing caller took it): the kernel's choice from now on */
        atomic_store(&next_near, (uintptr_t)-1);
    }
#endif
    void *p = mmap(NULL, bytes, prot, flags, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* ---- value stacks --------------------------------------------------------- */

/* Mapped, not malloc'd: an 8 MiB stack costs nothing until touched. A
 * pooled stack keeps the pages it touched (no need to clear them: validated
 * code never reads a slot it did not write), except beyond the first
 * 256 KiB, which are given back so a deep recursion does not pin memory. */
wasm_slot *wasm_stack_acquire(size_t bytes) {
    if (bytes == stacks.bytes) {
        region r = pool_take(&stacks, 0);
        if (r.base) return (wasm_slot *)r.base;
    }
    return map_region(bytes, PROT_READ | PROT_WRITE);
}

void wasm_stack_release(wasm_slot *stack, size_t bytes) {
    if (!stack) return;
    const size_t keep = 256u << 10;
    if (bytes == stacks.bytes) {
        madvise((uint8_t *)stack + keep, bytes - keep, MADV_DONTNEED);
        if (pool_put(&stacks, (region){(uint8_t *)stack, 0})) return;
    }
    munmap(stack, bytes);
}

/* ---- linear memories ------------------------------------------------------ */

/* Makes [0, to) accessible and the rest of what was open inaccessible. */
static bool set_open(uint8_t *base, uint64_t open, uint64_t to) {
    if (to > open) return mprotect(base + open, to - open, PROT_READ | PROT_WRITE) == 0;
    if (to < open) return mprotect(base + to, open - to, PROT_NONE) == 0;
    return true;
}

static void memory_setup(aw_memory *mem, aw_limits pages, uint32_t store_cap) {
    memset(mem, 0, sizeof *mem);
    mem->image_fd = -1;
    mem->limits = pages;
    uint32_t cap = WASM_MAX_PAGES;
    if (pages.max != WASM_NO_MAX && pages.max < cap) cap = pages.max;
    if (store_cap && store_cap < cap) cap = store_cap;
    mem->cap_pages = cap;
}

/* A fresh reservation: the full 8 GiB, or when address space is limited
 * (RLIMIT_AS) what the memory may grow to, or failing that less, down to
 * `need` (growth past it then fails, as the spec allows). Only full-size
 * reservations are pooled. */
static uint8_t *reserve(uint64_t most, uint64_t need, size_t *reserved) {
    uint8_t *base = map_region(RESERVE_BYTES, PROT_NONE);
    if (base) {
        *reserved = RESERVE_BYTES;
        return base;
    }
    uint64_t size = most > need ? most : need;
    if (size == 0) size = WASM_PAGE_SIZE;
    for (;;) {
        if ((base = map_none(NULL, size))) {
            *reserved = size;
            return base;
        }
        if (size <= need || size <= WASM_PAGE_SIZE) return NULL;
        size = size / 2 > need ? size / 2 : need;
    }
}

/* A pooled reservation comes with some bytes already open and zero: reuse
 * one that is open exactly as far as needed, so that nothing is remapped. */
bool wasm_memory_init(aw_memory *mem, aw_limits pages, uint32_t store_cap) {
    memory_setup(mem, pages, store_cap);
    if (pages.min > mem->cap_pages) return false;
    uint64_t bytes = (uint64_t)pages.min * WASM_PAGE_SIZE;
    region r = pool_take(&reservations, bytes);
    size_t reserved = RESERVE_BYTES;
    if (!r.base) r.base = reserve((uint64_t)mem->cap_pages * WASM_PAGE_SIZE, bytes, &reserved);
    if (!r.base) return false;
    mem->data = r.base;
    mem->reserved = reserved;
    mem->size = r.open;
    if (!set_open(r.base, r.open, bytes)) {
        wasm_memory_release(mem, NULL);
        return false;
    }
    mem->pages = pages.min;
    mem->size = bytes;
    return true;
}

bool wasm_memory_image_init(wasm_memory_image *img, int fd, size_t len, uint32_t min_pages) {
    memset(img, 0, sizeof *img);
    img->fd = fd;
    img->len = len;
    img->min_pages = min_pages;
    return pthread_mutex_init(&img->pool_lock, NULL) == 0;
}

void wasm_memory_image_destroy(wasm_memory_image *img) {
    for (uint32_t i = 0; i < img->pool_n; i++) munmap(img->pool[i], RESERVE_BYTES);
    img->pool_n = 0;
    if (img->fd >= 0) close(img->fd);
    img->fd = -1;
    pthread_mutex_destroy(&img->pool_lock);
}

/* A reservation from the image's pool already maps the image over its first
 * pages (reset by MADV_DONTNEED, which for a private file mapping drops the
 * copied pages and shows the file again) and is open to min_pages: taking
 * one costs no system call. */
bool wasm_memory_init_image(aw_memory *mem, aw_limits pages, uint32_t store_cap,
                            wasm_memory_image *img) {
    memory_setup(mem, pages, store_cap);
    if (pages.min > mem->cap_pages || pages.min != img->min_pages) return false;
    uint8_t *base = NULL;
    pthread_mutex_lock(&img->pool_lock);
    if (img->pool_n) base = img->pool[--img->pool_n];
    pthread_mutex_unlock(&img->pool_lock);
    if (base) {
        mem->data = base;
        mem->reserved = RESERVE_BYTES;
        mem->pages = pages.min;
        mem->size = (uint64_t)pages.min * WASM_PAGE_SIZE;
        mem->image_fd = img->fd;
        return true;
    }
    if (!wasm_memory_init(mem, pages, store_cap)) return false;
    if (img->len > mem->size) return false;
    void *p = mmap(mem->data, img->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, img->fd, 0);
    if (p == MAP_FAILED) return false;
    mem->image_fd = img->fd;
    return true;
}

bool wasm_memory_zero(aw_memory *mem) {
    if (mem->size == 0) return true;
    if (!map_none(mem->data, mem->size)) return false;
    mem->image_fd = -1;
    return mprotect(mem->data, mem->size, PROT_READ | PROT_WRITE) == 0;
}

/* Back into a pool with its pages given back: into the image's pool when
 * it maps img, else into the shared one, open as far as it was. */
static bool release_to_image(aw_memory *mem, wasm_memory_image *img) {
    uint64_t min_bytes = (uint64_t)img->min_pages * WASM_PAGE_SIZE;
    if (madvise(mem->data, mem->size, MADV_DONTNEED) != 0) return false;
    if (!set_open(mem->data, mem->size, min_bytes)) return false;
    mem->size = min_bytes;
    bool kept = false;
    pthread_mutex_lock(&img->pool_lock);
    if (img->pool_n < sizeof img->pool / sizeof img->pool[0])
        img->pool[img->pool_n++] = mem->data, kept = true;
    pthread_mutex_unlock(&img->pool_lock);
    return kept;
}

void wasm_memory_release(aw_memory *mem, wasm_memory_image *img) {
    if (!mem->data) return;
    bool done = false;
    if (mem->image_fd >= 0 && img && img->fd == mem->image_fd && mem->reserved == RESERVE_BYTES)
        done = release_to_image(mem, img);
    if (!done) {
        bool clean;
        uint64_t open = mem->size;
        if (mem->image_fd >= 0) /* drop the file mapping: the region is then closed */
            clean = mem->size == 0 || map_none(mem->data, mem->size) != NULL, open = 0;
        else
            clean = mem->size == 0 || madvise(mem->data, mem->size, MADV_DONTNEED) == 0;
        if (!clean || mem->reserved != RESERVE_BYTES ||
            !pool_put(&reservations, (region){mem->data, open}))
            munmap(mem->data, mem->reserved);
    }
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
    if (bytes > mem->reserved || !set_open(mem->data, mem->size, bytes)) return -1;
    mem->pages = (uint32_t)want;
    mem->size = bytes;
    return old;
}

static void memory_free(void *p) {
    wasm_memory_release(p, NULL);
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
