/*
 * libm.h — the transcendental functions inference uses (exp, log, pow,
 * sin, cos), from libm loaded on first use instead of linked.
 *
 * Why: every library an executable links is mapped and relocated at every
 * process start, and libm (with its dozens of CPU-dispatched functions)
 * costs 0.27 ms of it on the CI's VM: a third of what `anywhere run
 * hello.wasm` may spend over native code, for a library only inference
 * needs. The engine rounds without it (src/wasm/fround.h); the model code
 * takes these from the table, bound once per process by src/dl. Built with
 * AW_DL_DIRECT (`make DL_DIRECT=1`, the static image) libm is linked and
 * the table points at it: no dlopen.
 *
 * Usage: const ai_libm *M = ai_libm_get(); ... M->exp32(x) ...
 * (hoisted out of loops: binding costs a pthread_once check).
 */
#ifndef AI_LIBM_H
#define AI_LIBM_H

#include <math.h>

#include "dl/dl.h"

/* The functions, as X(field, symbol) (src/dl/dl.h). */
#define AI_LIBM_FUNCTIONS(X) \
    X(exp32, expf)           \
    X(exp64, exp)            \
    X(log64, log)            \
    X(pow32, powf)           \
    X(sin32, sinf)           \
    X(cos32, cosf)

typedef struct ai_libm {
    AI_LIBM_FUNCTIONS(AW_DL_FIELD)
} ai_libm;

/* The table, bound on the first call from any thread. libm ships with the
 * C library, so failing to load it is a broken installation: the process
 * then exits with a message naming the library (no inference can run). */
const ai_libm *ai_libm_get(void);

#endif
