/*
 * arena.h — bump allocation for what a module load produces and keeps
 * until the module is freed (the translated code of every function and
 * its trap sites). One arena per loading thread: allocation is a pointer
 * bump, freeing is a handful of chunk releases, and the memory is
 * contiguous, so a load faults in few pages (large chunks ask the kernel
 * for transparent huge pages) instead of one malloc'd block per function.
 */
#ifndef AW_WASM_ARENA_H
#define AW_WASM_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wasm_arena_chunk wasm_arena_chunk;

typedef struct wasm_arena {
    wasm_arena_chunk *chunks; /* newest first */
    uint8_t *p, *end;         /* free space in the newest chunk */
    size_t next;              /* size of the next chunk to get */
} wasm_arena;

/* `expect`: about how many bytes the arena will hold in all (the first
 * chunk's size; later chunks double). 0 picks a small default. */
void wasm_arena_init(wasm_arena *a, size_t expect);

/* n bytes aligned to `align` (a power of two up to 64), or NULL when out
 * of memory. The memory is not zeroed. */
void *wasm_arena_alloc(wasm_arena *a, size_t n, size_t align);

/* For a block whose size is not known yet (a function's code, written as
 * it is translated): the free space of the newest chunk, at least `min`
 * bytes (a new chunk when it has less), aligned to `align`; *avail gets
 * its size. Nothing is taken until wasm_arena_commit(a, p, n) takes the
 * first n bytes at p (the last open's p, n <= its *avail). */
void *wasm_arena_open(wasm_arena *a, size_t min, size_t align, size_t *avail);
void wasm_arena_commit(wasm_arena *a, void *p, size_t n);

/* Gives the unused pages at the end of the newest chunk back to the
 * kernel (after the last allocation: the estimate was generous). */
void wasm_arena_trim(wasm_arena *a);

/* Frees every chunk; the arena is empty (and reusable) afterwards. */
void wasm_arena_free(wasm_arena *a);

/* One block of n bytes (the copy of a module's binary), huge-page backed
 * when it is big. will_fill: the caller writes all of it at once, so its
 * pages are populated in one go when there are more than a few; else it
 * starts zeroed and pages never written cost nothing. wasm_block_free
 * needs the same n. NULL when out of memory. */
void *wasm_block_alloc(size_t n, bool will_fill);
void wasm_block_free(void *p, size_t n);

#endif
