/*
 * arena.c — chunked bump allocation (see arena.h). Small chunks come from
 * malloc; big ones straight from mmap, aligned to 2 MB and marked for
 * transparent huge pages, so that writing a load's tens of megabytes of
 * translated code takes a few dozen page faults, not tens of thousands.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wasm/arena.h"

#define ARENA_MIN_CHUNK ((size_t)16 << 10)
#define ARENA_MAX_CHUNK ((size_t)256 << 20) /* doubling stops here */
#define ARENA_HUGE ((size_t)2 << 20)        /* x86-64 and aarch64 (4K pages) huge page */
#define ARENA_HEADER ((size_t)64)           /* the chunk header, padded to a cache line */

struct wasm_arena_chunk {
    wasm_arena_chunk *next;
    size_t size;  /* bytes from the header on */
    bool mapped;  /* mmap'd (else malloc'd) */
};

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

/* A 2 MB-aligned mapping of `size` (a multiple of 2 MB): map 2 MB more and
 * cut off the misaligned ends, so that huge pages can back all of it. */
static void *map_aligned(size_t size) {
    uint8_t *raw = mmap(NULL, size + ARENA_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    uint8_t *p = (uint8_t *)round_up((uintptr_t)raw, ARENA_HUGE);
    if (p > raw) munmap(raw, (size_t)(p - raw));
    size_t tail = (size_t)(raw + size + ARENA_HUGE - (p + size));
    if (tail) munmap(p + size, tail);
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE); /* advice only: without THP it is 4K pages */
#endif
    return p;
}

static wasm_arena_chunk *chunk_new(size_t size) {
    wasm_arena_chunk *c;
    bool mapped = size >= 2 * ARENA_HUGE;
    if (mapped) {
        size = round_up(size, ARENA_HUGE);
        c = map_aligned(size);
    } else {
        c = malloc(size);
    }
    if (!c) return NULL;
    c->next = NULL;
    c->size = size;
    c->mapped = mapped;
    return c;
}

static void chunk_free(wasm_arena_chunk *c) {
    if (c->mapped) munmap(c, c->size);
    else free(c);
}

void wasm_arena_init(wasm_arena *a, size_t expect) {
    a->chunks = NULL;
    a->p = a->end = NULL;
    size_t n = expect + ARENA_HEADER;
    a->next = n < ARENA_MIN_CHUNK ? ARENA_MIN_CHUNK : n > ARENA_MAX_CHUNK ? ARENA_MAX_CHUNK : n;
}

/* A new newest chunk with room for n bytes aligned to `align`. */
static bool add_chunk(wasm_arena *a, size_t n, size_t align) {
    size_t need = ARENA_HEADER + n + align;
    if (need < n) return false; /* overflow */
    size_t size = a->next > need ? a->next : need;
    wasm_arena_chunk *c = chunk_new(size);
    if (!c) return false;
    c->next = a->chunks;
    a->chunks = c;
    a->p = (uint8_t *)c + ARENA_HEADER;
    a->end = (uint8_t *)c + c->size;
    if (a->next < ARENA_MAX_CHUNK) a->next *= 2;
    return true;
}

/* The newest chunk's free space from `align` on, or NULL if under n bytes. */
static inline uint8_t *fits(const wasm_arena *a, size_t n, size_t align) {
    uintptr_t q = ((uintptr_t)a->p + align - 1) & ~(uintptr_t)(align - 1);
    if (a->p && q <= (uintptr_t)a->end && n <= (uintptr_t)a->end - q) return (uint8_t *)q;
    return NULL;
}

void *wasm_arena_alloc(wasm_arena *a, size_t n, size_t align) {
    uint8_t *q = fits(a, n, align);
    if (!q && (!add_chunk(a, n, align) || !(q = fits(a, n, align)))) return NULL;
    a->p = q + n;
    return q;
}

void *wasm_arena_open(wasm_arena *a, size_t min, size_t align, size_t *avail) {
    uint8_t *q = fits(a, min, align);
    if (!q && (!add_chunk(a, min, align) || !(q = fits(a, min, align)))) return NULL;
    *avail = (size_t)(a->end - q);
    return q;
}

void wasm_arena_commit(wasm_arena *a, void *p, size_t n) {
    a->p = (uint8_t *)p + n;
}

void wasm_arena_trim(wasm_arena *a) {
    wasm_arena_chunk *c = a->chunks;
    if (!c || !c->mapped) return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *from = (uint8_t *)round_up((uintptr_t)a->p, page);
    if (from >= a->end) return;
    munmap(from, (size_t)(a->end - from));
    c->size = (size_t)(from - (uint8_t *)c);
    a->end = from;
    if (a->p > a->end) a->p = a->end;
}

void wasm_arena_free(wasm_arena *a) {
    for (wasm_arena_chunk *c = a->chunks, *next; c; c = next) {
        next = c->next;
        chunk_free(c);
    }
    a->chunks = NULL;
    a->p = a->end = NULL;
}

/* Blocks from BLOCK_POPULATE up to huge-page size are mapped; when the
 * caller writes all of one at once (will_fill: a copy of a module's bytes)
 * its pages are populated in the one system call, about a tenth of the
 * cost of taking each page's fault (measured under a hypervisor: 1 us
 * against 10 us a page). */
#define BLOCK_POPULATE ((size_t)16 << 10)

void *wasm_block_alloc(size_t n, bool will_fill) {
    if (n < BLOCK_POPULATE) return will_fill ? malloc(n ? n : 1) : calloc(1, n ? n : 1);
    if (n >= 2 * ARENA_HUGE) return map_aligned(round_up(n, ARENA_HUGE));
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (will_fill ? MAP_POPULATE : 0);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, flags, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void wasm_block_free(void *p, size_t n) {
    if (!p) return;
    if (n < BLOCK_POPULATE) free(p);
    else if (n < 2 * ARENA_HUGE) munmap(p, n);
    else munmap(p, round_up(n, ARENA_HUGE));
}
