/*
 * kernels.c — portable dot products (the reference the SIMD kernels are
 * tested against), run-time kernel selection, and the threaded matmul.
 */
#include "ai/kernels.h"
#include "ai/quant.h"

#include <pthread.h>
#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h> /* glibc 2.33 and later: CPU_FEATURE_ACTIVE */
#endif
#endif
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

uint32_t ai_vec_dot_type(uint32_t wtype) {
    switch (wtype) {
    case AI_TYPE_Q8_0: case AI_TYPE_Q4_0: return AI_TYPE_Q8_0;
    case AI_TYPE_Q4_K: case AI_TYPE_Q6_K: return AI_TYPE_Q8_K;
    case AI_TYPE_F16: return AI_TYPE_F16;
    case AI_TYPE_BF16: return AI_TYPE_BF16;
    default: return AI_TYPE_F32;
    }
}

void ai_quantize_act(uint32_t wtype, const float *x, void *out, int n) {
    ai_type_traits_of(ai_vec_dot_type(wtype))->from_float(x, out, n);
}

/* ---- scalar dot products ---- */

static void dot_f32(int n, float *s, const void *w, const void *x) {
    const float *a = w, *b = x;
    float sum = 0;
    for (int i = 0; i < n; i++) sum += a[i] * b[i];
    *s = sum;
}

static void dot_f16(int n, float *s, const void *w, const void *x) {
    const ai_f16 *a = w, *b = x;
    float sum = 0;
    for (int i = 0; i < n; i++) sum += ai_f16_to_f32(a[i]) * ai_f16_to_f32(b[i]);
    *s = sum;
}

static void dot_bf16(int n, float *s, const void *w, const void *x) {
    const uint16_t *a = w, *b = x;
    float sum = 0;
    for (int i = 0; i < n; i++) sum += ai_bf16_to_f32(a[i]) * ai_bf16_to_f32(b[i]);
    *s = sum;
}

static void dot_q8_0(int n, float *s, const void *w, const void *x) {
    const ai_block_q8_0 *a = w, *b = x;
    float sum = 0;
    for (int i = 0; i < n / AI_QK; i++) {
        int isum = 0;
        for (int j = 0; j < AI_QK; j++) isum += a[i].qs[j] * b[i].qs[j];
        sum += isum * ai_f16_to_f32(a[i].d) * ai_f16_to_f32(b[i].d);
    }
    *s = sum;
}

static void dot_q4_0(int n, float *s, const void *w, const void *x) {
    const ai_block_q4_0 *a = w;
    const ai_block_q8_0 *b = x;
    float sum = 0;
    for (int i = 0; i < n / AI_QK; i++) {
        int isum = 0;
        for (int j = 0; j < AI_QK / 2; j++)
            isum += ((a[i].qs[j] & 0xf) - 8) * b[i].qs[j] + ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + AI_QK / 2];
        sum += isum * ai_f16_to_f32(a[i].d) * ai_f16_to_f32(b[i].d);
    }
    *s = sum;
}

static void dot_q4_k(int n, float *s, const void *w, const void *x) {
    const ai_block_q4_k *a = w;
    const ai_block_q8_k *b = x;
    float sum = 0;
    for (int i = 0; i < n / AI_QK_K; i++) {
        const uint8_t *sc = a[i].scales;
        int sums = 0, mins = 0;
        for (int j = 0; j < 8; j++) {
            uint8_t scale, m;
            if (j < 4) { scale = sc[j] & 63; m = sc[j + 4] & 63; }
            else { scale = (sc[j + 4] & 0xf) | ((sc[j - 4] >> 6) << 4); m = (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4); }
            const uint8_t *q = a[i].qs + (j / 2) * 32;
            const int8_t *y = b[i].qs + j * 32;
            int isum = 0;
            for (int l = 0; l < 32; l++) isum += ((j & 1) ? (q[l] >> 4) : (q[l] & 0xf)) * y[l];
            sums += scale * isum;
            mins += m * (b[i].bsums[2 * j] + b[i].bsums[2 * j + 1]);
        }
        sum += b[i].d * ai_f16_to_f32(a[i].d) * sums - b[i].d * ai_f16_to_f32(a[i].dmin) * mins;
    }
    *s = sum;
}

static void dot_q6_k(int n, float *s, const void *w, const void *x) {
    const ai_block_q6_k *a = w;
    const ai_block_q8_k *b = x;
    float sum = 0;
    for (int i = 0; i < n / AI_QK_K; i++) {
        int sums = 0;
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = a[i].ql + 64 * h, *qh = a[i].qh + 32 * h;
            const int8_t *sc = a[i].scales + 8 * h, *y = b[i].qs + 128 * h;
            int sub[8] = {0};
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = ((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
                int q2 = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                sub[is] += q1 * y[l];
                sub[is + 2] += q2 * y[l + 32];
                sub[is + 4] += q3 * y[l + 64];
                sub[is + 6] += q4 * y[l + 96];
            }
            for (int k = 0; k < 8; k++) sums += sc[k] * sub[k];
        }
        sum += b[i].d * ai_f16_to_f32(a[i].d) * sums;
    }
    *s = sum;
}

static ai_vec_dot_fn scalar_dot(uint32_t wtype) {
    switch (wtype) {
    case AI_TYPE_F32: return dot_f32;
    case AI_TYPE_F16: return dot_f16;
    case AI_TYPE_BF16: return dot_bf16;
    case AI_TYPE_Q8_0: return dot_q8_0;
    case AI_TYPE_Q4_0: return dot_q4_0;
    case AI_TYPE_Q4_K: return dot_q4_k;
    case AI_TYPE_Q6_K: return dot_q6_k;
    default: return NULL;
    }
}

void ai_vec_dot_scalar(uint32_t wtype, int n, float *s, const void *w, const void *x) {
    scalar_dot(wtype)(n, s, w, x);
}

/* ---- selection ---- */

/* Decided once per process (CPU features do not change while it runs);
 * read-only afterwards, so sharing it between threads is safe. */
static pthread_once_t select_once = PTHREAD_ONCE_INIT;
static bool use_avx2;
static bool no_repack;   /* AI_NO_REPACK=1: keep the file's layout (A/B checks) */

static void select_kernels(void) {
    const char *r = getenv("AI_NO_REPACK");
    no_repack = r && *r && strcmp(r, "0") != 0;
    const char *e = getenv("AI_NO_SIMD");
    if (e && *e && strcmp(e, "0") != 0) return;
#if defined(__x86_64__) && defined(CPU_FEATURE_ACTIVE)
    /* glibc's view of the CPU (read by the dynamic loader at startup, OS
     * support for the AVX state included): no CPUID here. Not libgcc's
     * __builtin_cpu_supports: linking it adds a constructor that runs CPUID
     * at every process start, which costs ~0.2 ms under a hypervisor that
     * traps CPUID, paid by `anywhere run hello.wasm` that never infers. */
    use_avx2 = CPU_FEATURE_ACTIVE(AVX2) && CPU_FEATURE_ACTIVE(FMA) && CPU_FEATURE_ACTIVE(F16C);
#endif
}

const char *ai_kernels_name(void) {
    pthread_once(&select_once, select_kernels);
    return use_avx2 ? "avx2" : "scalar";
}

ai_vec_dot_fn ai_get_vec_dot(uint32_t wtype) {
    pthread_once(&select_once, select_kernels);
    ai_vec_dot_fn f = use_avx2 ? ai_avx2_vec_dot(wtype) : NULL;
    return f ? f : scalar_dot(wtype);
}

static void mad_f16(int n, float *y, float a, const ai_f16 *x) {
    for (int i = 0; i < n; i++) y[i] += a * ai_f16_to_f32(x[i]);
}
static void to_f16(int n, ai_f16 *y, const float *x) {
    for (int i = 0; i < n; i++) y[i] = ai_f32_to_f16(x[i]);
}

ai_mad_f16_fn ai_get_mad_f16(void) {
    pthread_once(&select_once, select_kernels);
    return use_avx2 ? ai_avx2_mad_f16() : mad_f16;
}

ai_to_f16_fn ai_get_to_f16(void) {
    pthread_once(&select_once, select_kernels);
    return use_avx2 ? ai_avx2_to_f16() : to_f16;
}

static ai_tile get_tile(uint32_t wtype) {
    pthread_once(&select_once, select_kernels);
    return use_avx2 ? ai_avx2_tile(wtype) : (ai_tile){NULL, 0, 0};
}

static ai_vec_dot4_fn get_vec_dot4(uint32_t wtype) {
    pthread_once(&select_once, select_kernels);
    return use_avx2 ? ai_avx2_vec_dot4(wtype) : NULL;
}

/* ---- repacking ---- */

static void repack_q4_0x8(const ai_weight *w, ai_block_q4_0x8 *dst) {
    int nb = w->cols / AI_QK;
    for (int g = 0; g < w->rows / 8; g++)
        for (int i = 0; i < nb; i++) {
            ai_block_q4_0x8 *o = &dst[(size_t)g * nb + i];
            for (int r = 0; r < 8; r++) {
                const ai_block_q4_0 *b = (const ai_block_q4_0 *)((const uint8_t *)w->data + (size_t)(8 * g + r) * w->row_bytes) + i;
                o->d[r] = b->d;
                for (int c = 0; c < 4; c++) memcpy(o->qs + 32 * c + 4 * r, b->qs + 4 * c, 4);
            }
        }
}

static void repack_q8_0x8(const ai_weight *w, ai_block_q8_0x8 *dst) {
    int nb = w->cols / AI_QK;
    for (int g = 0; g < w->rows / 8; g++)
        for (int i = 0; i < nb; i++) {
            ai_block_q8_0x8 *o = &dst[(size_t)g * nb + i];
            for (int r = 0; r < 8; r++) {
                const ai_block_q8_0 *b = (const ai_block_q8_0 *)((const uint8_t *)w->data + (size_t)(8 * g + r) * w->row_bytes) + i;
                o->d[r] = b->d;
                for (int c = 0; c < 8; c++) memcpy(o->qs + 32 * c + 4 * r, b->qs + 4 * c, 4);
            }
        }
}

static void repack_q6_kx8(const ai_weight *w, ai_block_q6_kx8 *dst) {
    int nb = w->cols / AI_QK_K;
    for (int g = 0; g < w->rows / 8; g++)
        for (int i = 0; i < nb; i++) {
            ai_block_q6_kx8 *o = &dst[(size_t)g * nb + i];
            for (int r = 0; r < 8; r++) {
                const ai_block_q6_k *b = (const ai_block_q6_k *)((const uint8_t *)w->data + (size_t)(8 * g + r) * w->row_bytes) + i;
                o->d[r] = b->d;
                for (int j = 0; j < 16; j++) o->scales[j][2 * r] = o->scales[j][2 * r + 1] = b->scales[j];
                uint8_t u[AI_QK_K];  /* q + 32 in column order, as the format defines it */
                for (int h = 0; h < 2; h++) {
                    const uint8_t *ql = b->ql + 64 * h, *qh = b->qh + 32 * h;
                    uint8_t *o8 = u + 128 * h;
                    for (int l = 0; l < 32; l++) {
                        o8[l] = (uint8_t)((ql[l] & 0xf) | ((qh[l] & 3) << 4));
                        o8[l + 32] = (uint8_t)((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4));
                        o8[l + 64] = (uint8_t)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
                        o8[l + 96] = (uint8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
                    }
                }
                for (int c = 0; c < 64; c++) memcpy(o->qs[c] + 4 * r, u + 4 * c, 4);
            }
        }
}

static void repack_q4_kx8(const ai_weight *w, ai_block_q4_kx8 *dst) {
    int nb = w->cols / AI_QK_K;
    for (int g = 0; g < w->rows / 8; g++)
        for (int i = 0; i < nb; i++) {
            ai_block_q4_kx8 *o = &dst[(size_t)g * nb + i];
            for (int r = 0; r < 8; r++) {
                const ai_block_q4_k *b = (const ai_block_q4_k *)((const uint8_t *)w->data + (size_t)(8 * g + r) * w->row_bytes) + i;
                o->d[r] = b->d;
                o->dmin[r] = b->dmin;
                const uint8_t *sc = b->scales;
                for (int j = 0; j < 8; j++) {   /* the 6-bit packing of the Q4_K definition */
                    uint8_t scale, m;
                    if (j < 4) { scale = sc[j] & 63; m = sc[j + 4] & 63; }
                    else { scale = (sc[j + 4] & 0xf) | ((sc[j - 4] >> 6) << 4); m = (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4); }
                    o->scales[j][r] = scale;
                    o->mins[j / 2][2 * r + j % 2] = m;
                }
                for (int p = 0; p < 4; p++)
                    for (int c = 0; c < 8; c++) memcpy(o->qs[p][c] + 4 * r, b->qs + 32 * p + 4 * c, 4);
            }
        }
}

/* Bytes of one repacked block of 8 rows, 0 for types without a layout. */
static size_t packed_block_bytes(uint32_t type) {
    switch (type) {
    case AI_TYPE_Q4_0: return sizeof(ai_block_q4_0x8);
    case AI_TYPE_Q4_K: return sizeof(ai_block_q4_kx8);
    case AI_TYPE_Q8_0: return sizeof(ai_block_q8_0x8);
    case AI_TYPE_Q6_K: return sizeof(ai_block_q6_kx8);
    default: return 0;
    }
}

/* Bytes per group of 8 repacked rows. */
static size_t packed_group_bytes(const ai_weight *w) {
    return (size_t)(w->cols / ai_type_traits_of(w->type)->block) * packed_block_bytes(w->type);
}

bool ai_weight_repack(ai_weight *w) {
    pthread_once(&select_once, select_kernels);
    if (!use_avx2 || no_repack || w->rows < 8 || w->packed || !packed_block_bytes(w->type)) return false;
    void *dst = NULL;
    if (posix_memalign(&dst, 64, (size_t)(w->rows / 8) * packed_group_bytes(w)) != 0) return false;
    if (w->type == AI_TYPE_Q4_0) repack_q4_0x8(w, dst);
    else if (w->type == AI_TYPE_Q4_K) repack_q4_kx8(w, dst);
    else if (w->type == AI_TYPE_Q8_0) repack_q8_0x8(w, dst);
    else repack_q6_kx8(w, dst);
    w->packed = dst;
    return true;
}

size_t ai_weight_packed_bytes(const ai_weight *w) {
    return w->packed ? (size_t)(w->rows / 8) * packed_group_bytes(w) : 0;
}

void ai_weight_release(ai_weight *w) {
    free(w->packed);
    w->packed = NULL;
}

/* ---- matmul ---- */

size_t ai_matmul_scratch(uint32_t wtype, int cols, int n) {
    return ai_row_bytes(ai_vec_dot_type(wtype), cols) * (size_t)n;
}

/* Work is a grid of (row block, token block) tiles: a row block of weights
 * (ROWS_PER_TASK rows) and a token block of activations (TOK_PER_TASK rows)
 * both stay in L2 while the tile is computed. */
#define ROWS_PER_TASK 32
#define TOK_PER_TASK 64

typedef struct {
    const ai_weight *w;
    const uint8_t *xq;
    size_t x_bytes;
    int n;
    float *out;
    int row_tasks;
    ai_vec_dot_fn dot;
    ai_vec_dot4_fn dot4;
    ai_tile tile;
    ai_packed_fn packed1, packed4;   /* repacked weights: 8 rows x 1, 4 tokens */
    size_t packed_group;             /* bytes per 8 repacked rows */
    const int16_t *ysum;             /* Q4_0: [token][block] activation sums */
} matmul_job;

/* Rows [r0, r1) x tokens [t0, t1) of repacked weights: 8 rows x 4
 * tokens, then single tokens; rows past the last full group of 8 from
 * `data`. r0 is a multiple of 8 (ROWS_PER_TASK is). */
static void matmul_packed(const matmul_job *j, int r0, int r1, int t0, int t1) {
    const ai_weight *w = j->w;
    int nb = w->cols / ai_type_traits_of(w->type)->block, packed_end = w->rows / 8 * 8;
    int r8 = r1 < packed_end ? r1 : packed_end;
    const uint8_t *pw = w->packed;
    int t = t0;
    for (; t + 4 <= t1; t += 4)
        for (int r = r0; r < r8; r += 8)
            j->packed4(nb, j->out + (size_t)t * w->rows + r, w->rows, pw + (size_t)(r / 8) * j->packed_group,
                       j->xq + (size_t)t * j->x_bytes, j->x_bytes, j->ysum ? j->ysum + (size_t)t * nb : NULL, nb);
    for (; t < t1; t++)
        for (int r = r0; r < r8; r += 8)
            j->packed1(nb, j->out + (size_t)t * w->rows + r, w->rows, pw + (size_t)(r / 8) * j->packed_group,
                       j->xq + (size_t)t * j->x_bytes, j->x_bytes, j->ysum ? j->ysum + (size_t)t * nb : NULL, nb);
    for (int r = r8 > r0 ? r8 : r0; r < r1; r++)
        for (t = t0; t < t1; t++)
            j->dot(w->cols, j->out + (size_t)t * w->rows + r, (const uint8_t *)w->data + (size_t)r * w->row_bytes,
                   j->xq + (size_t)t * j->x_bytes);
}

static void matmul_task(void *arg, int i, int thread) {
    (void)thread;
    const matmul_job *j = arg;
    const ai_weight *w = j->w;
    int r0 = (i % j->row_tasks) * ROWS_PER_TASK, t0 = (i / j->row_tasks) * TOK_PER_TASK;
    int r1 = r0 + ROWS_PER_TASK < w->rows ? r0 + ROWS_PER_TASK : w->rows;
    int t1 = t0 + TOK_PER_TASK < j->n ? t0 + TOK_PER_TASK : j->n;
    if (j->packed1) { matmul_packed(j, r0, r1, t0, t1); return; }
    const uint8_t *wd = w->data;
    const ai_tile tl = j->tile;
    if (tl.fn) {
        /* groups of tl.toks tokens through tl.rows-row tiles; leftover
         * rows one by one here, leftover tokens below */
        int rt = r0 + (r1 - r0) / tl.rows * tl.rows;
        for (; t0 + tl.toks <= t1; t0 += tl.toks) {
            const uint8_t *x = j->xq + (size_t)t0 * j->x_bytes;
            float *o = j->out + (size_t)t0 * w->rows;
            for (int r = r0; r < rt; r += tl.rows)
                tl.fn(w->cols, o + r, w->rows, wd + (size_t)r * w->row_bytes, w->row_bytes, x, j->x_bytes);
            for (int r = rt; r < r1; r++)
                for (int t = 0; t < tl.toks; t++)
                    j->dot(w->cols, o + (size_t)t * w->rows + r, wd + (size_t)r * w->row_bytes, x + t * j->x_bytes);
        }
    }
    for (int t = t0; t < t1; t++) {
        const void *x = j->xq + (size_t)t * j->x_bytes;
        float *o = j->out + (size_t)t * w->rows;
        int r = r0;
        if (j->dot4)
            for (; r + 4 <= r1; r += 4) j->dot4(w->cols, o + r, wd + (size_t)r * w->row_bytes, w->row_bytes, x);
        for (; r < r1; r++) j->dot(w->cols, o + r, wd + (size_t)r * w->row_bytes, x);
    }
}

void ai_matmul_q(ai_pool *pool, const ai_weight *w, const void *xq, int n, float *out) {
    matmul_job j = {
        .w = w, .xq = xq, .x_bytes = ai_row_bytes(ai_vec_dot_type(w->type), w->cols), .n = n, .out = out,
        .row_tasks = (w->rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK,
        .dot = ai_get_vec_dot(w->type), .dot4 = get_vec_dot4(w->type), .tile = get_tile(w->type),
    };
    int16_t *ysum = NULL;
    if (w->packed && w->type == AI_TYPE_Q4_0 && (ysum = malloc(sizeof *ysum * (size_t)n * (w->cols / AI_QK)))) {
        /* per-block activation sums for the repacked Q4_0 kernels */
        int nb = w->cols / AI_QK;
        for (int t = 0; t < n; t++) {
            const ai_block_q8_0 *y = (const ai_block_q8_0 *)((const uint8_t *)xq + (size_t)t * j.x_bytes);
            for (int i = 0; i < nb; i++) {
                int sum = 0;
                for (int k = 0; k < AI_QK; k++) sum += y[i].qs[k];
                ysum[(size_t)t * nb + i] = (int16_t)sum;
            }
        }
        j.ysum = ysum;
    }
    /* (when that allocation fails, the plain kernels do the work) */
    if (w->packed && (ysum || w->type != AI_TYPE_Q4_0)) {
        j.packed1 = ai_avx2_packed(w->type, 1);
        j.packed4 = ai_avx2_packed(w->type, 4);
        j.packed_group = packed_group_bytes(w);
    }
    int tok_tasks = (n + TOK_PER_TASK - 1) / TOK_PER_TASK;
    ai_pool_run(pool, matmul_task, &j, j.row_tasks * tok_tasks);
    free(ysum);
}

void ai_matmul(ai_pool *pool, const ai_weight *w, const float *x, int n, float *out, void *scratch) {
    size_t xb = ai_row_bytes(ai_vec_dot_type(w->type), w->cols);
    for (int t = 0; t < n; t++) ai_quantize_act(w->type, x + (size_t)t * w->cols, (uint8_t *)scratch + t * xb, w->cols);
    ai_matmul_q(pool, w, scratch, n, out);
}
