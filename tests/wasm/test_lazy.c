/*
 * test_lazy.c — lazy translation (src/wasm/interp.h, LAZY TRANSLATION): a
 * loaded module's bodies are validated but untranslated; a function is
 * translated at its first call and not before; results, traps and fuel
 * are those of an eager load (AW_TRANSLATE=eager); many threads making the
 * first calls of one module at once all get right answers; an invalid
 * body is still refused at load.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere/wasm.h"
#include "check.h"
#include "wasm/interp.h"
#include "wasm/runtime.h"

#include "lcg_module.h" /* work, run, div: the module of test_tierup.c */

enum { F_WORK, F_RUN, F_DIV };

static aw_module *load(const char *mode) {
    setenv("AW_TRANSLATE", mode, 1); /* read by each load */
    aw_error err;
    aw_module *m = aw_module_load(mod, sizeof mod, &err);
    if (!m) printf("load: %s\n", err.message);
    return m;
}

static bool translated(const aw_module *m, uint32_t defidx) {
    const wasm_fn *fn = m->funcs[defidx].code;
    return wasm_fn_translated(fn, wasm_fn_code(fn));
}

/* name(a[, b]) in inst; the result, or -1 with the trap kind in *trap. */
static int32_t call(aw_store *s, aw_instance *inst, const char *name, int32_t a, int32_t b, aw_trapkind *trap) {
    aw_error err;
    aw_func *f = aw_instance_func(inst, name);
    aw_val args[2] = {AW_I32_VAL(a), AW_I32_VAL(b)}, r[1];
    size_t nargs = strcmp(name, "run") ? 2 : 1;
    *trap = AW_TRAP_NONE;
    if (aw_call(s, f, args, nargs, r, 1, &err) == AW_OK) return r[0].of.i32;
    *trap = err.trap;
    return -1;
}

typedef struct outcome {
    int32_t run, work, quotient;
    aw_trapkind div0, overflow;
    uint64_t fuel_left;
} outcome;

/* The same calls, under a fuel limit, in a fresh store and instance of m. */
static outcome exercise(aw_module *m) {
    outcome o;
    memset(&o, 0, sizeof o);
    aw_store_config cfg = {.fuel = 10000000};
    aw_store *s = aw_store_new(&cfg);
    aw_instance *inst = aw_instantiate(s, m, NULL, 0, NULL);
    aw_trapkind t;
    if (inst) {
        o.run = call(s, inst, "run", 300, 0, &t);
        o.work = call(s, inst, "work", 7, 1000, &t);
        o.quotient = call(s, inst, "div", -9, 2, &t);
        call(s, inst, "div", 1, 0, &o.div0);
        call(s, inst, "div", INT32_MIN, -1, &o.overflow);
    }
    o.fuel_left = aw_store_fuel(s);
    aw_store_free(s);
    return o;
}

/* Threads making the first calls of one module together. */
typedef struct racer {
    aw_module *m;
    pthread_barrier_t *start;
    int32_t got;
    bool ok;
} racer;

static void *race(void *arg) {
    racer *r = arg;
    aw_store *s = aw_store_new(NULL);
    aw_instance *inst = aw_instantiate(s, r->m, NULL, 0, NULL);
    pthread_barrier_wait(r->start);
    aw_trapkind t;
    r->got = inst ? call(s, inst, "run", 2000, 0, &t) : -1;
    r->ok = inst && t == AW_TRAP_NONE;
    aw_store_free(s);
    return NULL;
}

int main(void) {
    aw_module *eager = load("eager"), *lazy = load("lazy");
    CHECK(eager && lazy);
    if (!eager || !lazy) goto done;
    /* Eagerly everything is translated at load; lazily nothing is. */
    CHECK(translated(eager, F_WORK) && translated(eager, F_RUN) && translated(eager, F_DIV));
    CHECK(!translated(lazy, F_WORK) && !translated(lazy, F_RUN) && !translated(lazy, F_DIV));

    /* A first call translates that function only. */
    aw_store *s = aw_store_new(NULL);
    aw_instance *inst = aw_instantiate(s, lazy, NULL, 0, NULL);
    aw_trapkind t;
    CHECK(inst && call(s, inst, "div", 9, 2, &t) == 4 && t == AW_TRAP_NONE);
    CHECK(translated(lazy, F_DIV) && !translated(lazy, F_WORK) && !translated(lazy, F_RUN));
    /* run calls work from interpreted code: both are translated then. */
    CHECK(inst && call(s, inst, "run", 10, 0, &t) != -1);
    CHECK(translated(lazy, F_WORK) && translated(lazy, F_RUN));
    aw_store_free(s);

    /* Same results, traps and fuel as an eager load, from a fresh module
     * (its first calls are the lazy ones). */
    aw_module *fresh = load("lazy");
    outcome a = exercise(eager), b = fresh ? exercise(fresh) : (outcome){0};
    CHECK(a.run == b.run && a.work == b.work && a.quotient == b.quotient && a.quotient == -4);
    CHECK(a.div0 == AW_TRAP_DIV_ZERO && b.div0 == AW_TRAP_DIV_ZERO);
    CHECK(a.overflow == AW_TRAP_INT_OVERFLOW && b.overflow == AW_TRAP_INT_OVERFLOW);
    CHECK(a.fuel_left == b.fuel_left && a.fuel_left < 10000000);
    aw_module_release(fresh);

    /* Eight threads make the first calls of one module at once. */
    aw_module *shared = load("lazy");
    enum { NRACERS = 8 };
    racer r[NRACERS];
    pthread_t tid[NRACERS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, NRACERS);
    for (int i = 0; i < NRACERS; i++) {
        r[i] = (racer){shared, &start, 0, false};
        pthread_create(&tid[i], NULL, race, &r[i]);
    }
    int same = 0;
    for (int i = 0; i < NRACERS; i++) {
        pthread_join(tid[i], NULL);
        same += r[i].ok && r[i].got == r[0].got;
    }
    pthread_barrier_destroy(&start);
    CHECK(same == NRACERS);
    aw_store *se = aw_store_new(NULL);
    aw_instance *ie = aw_instantiate(se, eager, NULL, 0, NULL);
    CHECK(ie && call(se, ie, "run", 2000, 0, &t) == r[0].got);
    aw_store_free(se);
    aw_module_release(shared);

    /* An invalid body is refused at load, called or not: here a function
     * body whose i32.div_s has only one operand. */
    unsigned char bad[sizeof mod];
    memcpy(bad, mod, sizeof mod);
    bad[sizeof mod - 4] = 0x01; /* div's `local.get 0` becomes `nop` */
    setenv("AW_TRANSLATE", "lazy", 1);
    aw_error err;
    aw_module *refused = aw_module_load(bad, sizeof bad, &err);
    CHECK(!refused && err.kind == AW_ERR_INVALID);
    aw_module_release(refused);

done:
    aw_module_release(eager);
    aw_module_release(lazy);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
