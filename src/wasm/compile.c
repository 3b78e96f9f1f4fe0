/*
 * compile.c — translates each validated function body, once, into the
 * interpreter's threaded register code (interp.h describes the IR).
 *
 * The translator walks the body with an abstract operand stack. An entry
 * says where its value is: in its home slot (HOME), still in a local's
 * slot (LOCAL, from local.get), a constant not yet written anywhere
 * (CONST), or an int compare not yet evaluated (COND, consumed by a
 * following br_if / if / eqz as one compare-and-branch). Instructions
 * read their operands wherever they are and write their result to the
 * next home, or straight into the local of a following local.set/tee.
 * Before a local is written, entries still naming it are copied to their
 * homes; at block boundaries every entry is made canonical (HOME, or a
 * CONST, which nothing can change).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/arena.h"
#include "wasm/interp.h"
#include "wasm/opcodes.h"
#include "wasm/reader.h"
#include "wasm/simd.h"

/* ---- static opcode facts (from opcodes.h) --------------------------------- */

/* Signatures held in place, not pointed at: a table of pointers is
 * relocated by the dynamic loader at every process start (a page copied
 * each), and these are read only while translating. "" for no opcode. */
#define SIG_ENTRY(sym, code, imm, sig, name) [code] = sig,
#define IMM_ENTRY(sym, code, imm, sig, name) [code] = WASM_IMM_##imm,
typedef char sig_str[8]; /* the longest is "vvv_v" */
static const sig_str sig_main[256] = {WASM_OPS(SIG_ENTRY)};
static const sig_str sig_fc[32] = {WASM_OPS_FC(SIG_ENTRY)};
static const sig_str sig_fd[256] = {WASM_OPS_FD(SIG_ENTRY)};
static const uint8_t imm_main[256] = {WASM_OPS(IMM_ENTRY)};
static const uint8_t imm_fc[32] = {WASM_OPS_FC(IMM_ENTRY)};
static const uint8_t imm_fd[256] = {WASM_OPS_FD(IMM_ENTRY)};

/* wasm opcode -> internal op + 1 (0: not in that family). */
#define MAP(n) [OP_##n] = IOP_##n + 1,
static const uint16_t map_other[256] = {WASM_NUMOTHER(MAP)};
static const uint16_t map_sat[32] = {WASM_NUMSAT(MAP)};
static const uint16_t map_mem[256] = {WASM_MEMOPS(MAP)};
static const uint16_t map_ialu[256] = {WASM_IALU(MAP)};
static const uint16_t map_icmp[256] = {WASM_ICMP(MAP)};
#define MAP_V(n) [OP_##n] = IOP_V_##n + 1,
static const uint16_t map_vbin[256] = {WASM_VBIN(MAP_V) WASM_VSHIFT(MAP_V)};
static const uint16_t map_vlane[256] = {WASM_VLANE(MAP_V)};

/* Compare index (0..19, WASM_ICMP order) transformations. */
static const uint8_t cmp_inverse[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
static const uint8_t cmp_swapped[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};
static inline int cmp_inv(int c) { return (c / 10) * 10 + cmp_inverse[c % 10]; }
static inline int cmp_swap(int c) { return (c / 10) * 10 + cmp_swapped[c % 10]; }

static bool ialu_commutes(int iop) {
    switch (iop) {
    case IOP_I32_ADD: case IOP_I32_MUL: case IOP_I32_AND: case IOP_I32_OR: case IOP_I32_XOR:
    case IOP_I64_ADD: case IOP_I64_MUL: case IOP_I64_AND: case IOP_I64_OR: case IOP_I64_XOR:
        return true;
    default:
        return false;
    }
}

static bool num_traps(int iop) {
    return (iop >= IOP_I32_DIV_S && iop <= IOP_I64_REM_U) ||
           (iop >= IOP_I32_TRUNC_F32_S && iop <= IOP_I32_TRUNC_F64_U) ||
           (iop >= IOP_I64_TRUNC_F32_S && iop <= IOP_I64_TRUNC_F64_U);
}

static aw_valtype sig_type(char ch) {
    switch (ch) {
    case 'i': return AW_I32;
    case 'l': return AW_I64;
    case 'f': return AW_F32;
    case 'd': return AW_F64;
    default: return AW_V128;
    }
}

static const aw_valtype one_type[] = {AW_I32, AW_I64, AW_F32, AW_F64, AW_V128, AW_FUNCREF, AW_EXTERNREF};
static const aw_valtype *valtype_ptr(aw_valtype t) {
    for (size_t i = 0; i < sizeof one_type / sizeof *one_type; i++)
        if (one_type[i] == t) return &one_type[i];
    return &one_type[0];
}

static inline uint32_t ns(aw_valtype t) { return t == AW_V128 ? 2 : 1; }

/* ---- translator state ----------------------------------------------------- */

enum { E_HOME, E_LOCAL, E_CONST, E_COND, E_ADD };

typedef struct ent {
    uint8_t kind;
    uint8_t cmp;     /* E_COND: index in WASM_ICMP */
    uint8_t has_imm; /* E_COND, E_ADD: b is the immediate k */
    aw_valtype type;
    uint32_t home;   /* the slot of this stack position */
    uint32_t slot;   /* E_LOCAL: the local's slot; E_COND, E_ADD: operand a */
    uint32_t slot_b; /* E_COND, E_ADD: operand b */
    uint64_t k;      /* E_CONST: the bits; E_COND, E_ADD: the immediate */
} ent;

enum { C_FUNC, C_BLOCK, C_LOOP, C_IF, C_ELSE };

typedef struct ctl {
    uint8_t kind;
    bool dead;          /* the rest of this block is unreachable */
    uint32_t height;    /* stack entries below the block's params */
    uint32_t hslots;    /* home of the first param / result */
    uint32_t nparams, nresults;
    const aw_valtype *params, *results;
    int64_t chain;      /* forward branches to the end, linked through the code */
    int64_t else_chain; /* if: the branch to the else arm */
    uint32_t loop_pc;   /* loop: where branches go */
    uint32_t fuel_pos;  /* function/loop: the word holding its fuel charge */
    uint32_t ninstr;    /* instructions charged at fuel_pos */
    uint32_t fuel_parent;
} ctl;

/* Buffers reused for every function of a module while it loads. */
typedef struct scratch {
    wasm_code *code; /* the function's code, written straight into the arena */
    uint32_t ncode, capcode;
    uint32_t *relocs;
    uint32_t nrelocs, caprelocs;
    wasm_trapsite *traps;
    uint32_t ntraps, captraps;
    ent *st;
    uint32_t capst;
    ctl *cs;
    uint32_t capcs;
    uint32_t *lslot;
    aw_valtype *ltype;
    uint8_t *lstate; /* L_*: is the local written before it is read? */
    uint32_t caplocals;
    uint32_t *tmp;   /* br_table's depths and stub words */
    uint32_t captmp;
    ent dummy_ent;   /* written to when out of memory (see push, push_ctl) */
    ctl dummy_ctl;
} scratch;

/* Declared locals start at zero, but most are written before they are
 * read: only those a local.get may see unwritten are zeroed, by a
 * prologue. A write at the function's top level (outside every block)
 * that comes, in the text, before any read happens before every read. */
enum { L_UNSEEN, L_WRITTEN, L_READ };

/* One per loading thread: its buffers, and the arena that keeps the code
 * it translated for as long as the module lives. */
typedef struct worker {
    scratch sc;
    wasm_arena arena;
} worker;

typedef struct wasm_compiled {
    wasm_fn *fns; /* one per defined function; aw_funcdef.code points here */
    uint32_t nfns;
    worker *workers;
    uint32_t nworkers;
    /* Lazy translation (interp.h): bodies are translated on first call, one
     * at a time under lazy_lock, by worker 0 (its buffers and arena). */
    bool lazy;
    pthread_mutex_t lazy_lock;
} wasm_compiled;

typedef struct cc {
    aw_module *m;
    wasm_compiled *mc;
    scratch *sc;
    wasm_arena *arena; /* where the code goes */
    const void *const *H;
    const wasm_functype *ft;
    wasm_reader r;
    uint32_t nlocals;
    uint32_t base;      /* first home slot */
    uint32_t max_slots;
    uint32_t n;         /* abstract stack height */
    uint32_t nc;        /* control stack height */
    uint32_t nlocalrefs;
    uint32_t fuel_ctl;  /* index of the ctl charged for the current instruction */
    uint64_t cur_off;
    uint32_t last_pc;   /* where the last instruction starts (for pairing) */
    uint32_t barrier;   /* a branch may land here: no pairing across it */
    uint16_t last_iop;
    bool oom;
} cc;

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t size) {
    if (need <= *cap) return true;
    uint32_t nc = *cap ? *cap : 64;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, (size_t)nc * size);
    if (!q) return false;
    *p = q;
    *cap = nc;
    return true;
}

/* ---- emission ------------------------------------------------------------- */

/* Code is written into the arena's free space, and taken (committed) once
 * the function is done. Room for `need` words: when the free space runs
 * out, what is written so far moves to a new chunk (positions are word
 * indices until then, so nothing else changes). */
static bool code_room(cc *c, uint32_t need) {
    scratch *s = c->sc;
    if (need <= s->capcode) return true;
    size_t avail;
    wasm_code *q = wasm_arena_open(c->arena, (size_t)need * 2 * sizeof(wasm_code), 16, &avail);
    if (!q) return false;
    if (s->ncode) memmove(q, s->code, (size_t)s->ncode * sizeof(wasm_code));
    s->code = q;
    avail /= sizeof(wasm_code);
    s->capcode = avail > UINT32_MAX ? UINT32_MAX : (uint32_t)avail;
    return true;
}

static __attribute__((noinline)) void word_slow(cc *c, wasm_code w) {
    scratch *s = c->sc;
    if (!code_room(c, s->ncode + 1)) {
        c->oom = true;
        return;
    }
    s->code[s->ncode++] = w;
}
/* Emission is most of translation's work: the common case is one store. */
static inline __attribute__((always_inline)) void word(cc *c, wasm_code w) {
    scratch *s = c->sc;
    if (__builtin_expect(s->ncode >= s->capcode, 0)) {
        word_slow(c, w);
        return;
    }
    s->code[s->ncode++] = w;
}
static uint32_t op(cc *c, int iop) {
    uint32_t pos = c->sc->ncode;
    word(c, (wasm_code){.h = c->H[iop]});
    c->last_pc = pos, c->last_iop = (uint16_t)iop;
    return pos;
}
/* The last instruction, if it is `iop`, ends at the current position and
 * no branch lands between the two (so the next can be fused into it). */
static bool last_is(cc *c, int iop, uint32_t words) {
    return c->last_iop == iop && c->last_pc + words == c->sc->ncode && c->barrier <= c->last_pc && !c->oom;
}
static void slot(cc *c, uint32_t s) { word(c, (wasm_code){.i = (int64_t)s * 8}); }
static void imm(cc *c, uint64_t u) { word(c, (wasm_code){.u = u}); }
static void ptr(cc *c, const void *p) { word(c, (wasm_code){.p = p}); }

static void reloc(cc *c) {
    scratch *s = c->sc;
    if (s->nrelocs >= s->caprelocs &&
        !grow((void **)&s->relocs, &s->caprelocs, s->nrelocs + 1, sizeof(uint32_t))) {
        c->oom = true;
        return;
    }
    s->relocs[s->nrelocs++] = s->ncode;
}
/* A branch target known now (a code position). */
static void target(cc *c, uint32_t pos) {
    reloc(c);
    imm(c, pos);
}
/* A forward branch: linked into *chain until resolve(). */
static void fwd(cc *c, int64_t *chain) {
    reloc(c);
    int64_t pos = c->sc->ncode;
    word(c, (wasm_code){.i = *chain});
    if (!c->oom) *chain = pos;
}
static void resolve(cc *c, int64_t chain, uint32_t pos) {
    if (c->barrier < pos) c->barrier = pos;
    while (chain >= 0 && !c->oom) {
        int64_t next = c->sc->code[chain].i;
        c->sc->code[chain].u = pos;
        chain = next;
    }
}
static void trapsite(cc *c, uint32_t pc) {
    scratch *s = c->sc;
    if (s->ntraps >= s->captraps &&
        !grow((void **)&s->traps, &s->captraps, s->ntraps + 1, sizeof(wasm_trapsite))) {
        c->oom = true;
        return;
    }
    s->traps[s->ntraps++] = (wasm_trapsite){pc, (uint32_t)c->cur_off};
}

static void emit_copy(cc *c, uint32_t d, uint32_t s, aw_valtype t) {
    if (d == s) return;
    if (t != AW_V128 && last_is(c, IOP_COPY, 3)) { /* COPY;COPY -> COPYCOPY (runs of moves) */
        c->sc->code[c->last_pc].h = c->H[IOP_COPYCOPY];
        c->last_iop = IOP_COPYCOPY;
        slot(c, d);
        slot(c, s);
        return;
    }
    op(c, t == AW_V128 ? IOP_COPY2 : IOP_COPY);
    slot(c, d);
    slot(c, s);
}
static void emit_const(cc *c, uint32_t d, uint64_t k) {
    op(c, IOP_CONST);
    slot(c, d);
    imm(c, k);
}
/* Evaluates a pending E_COND or E_ADD into slot d. */
static void emit_cmp(cc *c, const ent *e, uint32_t d) {
    if (e->kind == E_ADD) op(c, e->has_imm ? IOP_I32_ADD_I : IOP_I32_ADD);
    else op(c, (e->has_imm ? IOP_I32_EQ_I : IOP_I32_EQ) + e->cmp);
    slot(c, d);
    slot(c, e->slot);
    if (e->has_imm) imm(c, e->k);
    else slot(c, e->slot_b);
}

/* ---- the abstract stack --------------------------------------------------- */

static inline ent *st(cc *c, uint32_t i) { return &c->sc->st[i]; }

static uint32_t top_home(cc *c) {
    if (!c->n) return c->base;
    ent *e = st(c, c->n - 1);
    return e->home + ns(e->type);
}

static inline ent *push(cc *c, uint8_t kind, aw_valtype t) {
    /* Out of memory: a scratch entry to write to; c->oom aborts the
     * translation right after this instruction. Its contents never matter;
     * it is the scratch's own, as loading threads translate at once. */
    scratch *s = c->sc;
    if (c->n >= s->capst && !grow((void **)&s->st, &s->capst, c->n + 1, sizeof(ent))) {
        c->oom = true;
        return memset(&s->dummy_ent, 0, sizeof s->dummy_ent);
    }
    uint32_t home = top_home(c);
    ent *e = st(c, c->n++);
    *e = (ent){.kind = kind, .type = t, .home = home};
    if (home + ns(t) > c->max_slots) c->max_slots = home + ns(t);
    return e;
}
static uint32_t push_home(cc *c, aw_valtype t) { return push(c, E_HOME, t)->home; }
static void push_local(cc *c, aw_valtype t, uint32_t s) {
    push(c, E_LOCAL, t)->slot = s;
    c->nlocalrefs++;
}
static void push_const(cc *c, aw_valtype t, uint64_t k) { push(c, E_CONST, t)->k = k; }
static void push_ent(cc *c, const ent *e) {
    if (e->kind == E_LOCAL) push_local(c, e->type, e->slot);
    else if (e->kind == E_CONST) push_const(c, e->type, e->k);
    else push_home(c, e->type);
}

static inline ent pop(cc *c) {
    ent e = *st(c, --c->n);
    if (e.kind == E_LOCAL) c->nlocalrefs--;
    return e;
}
static void truncate_to(cc *c, uint32_t h) {
    while (c->n > h) pop(c);
}

/* Writes entry i's value to its home. */
static void materialize(cc *c, uint32_t i) {
    ent *e = st(c, i);
    switch (e->kind) {
    case E_HOME: return;
    case E_LOCAL:
        emit_copy(c, e->home, e->slot, e->type);
        c->nlocalrefs--;
        break;
    case E_CONST:
        if (e->type == AW_V128) { /* not produced: v128.const is written at once */
            c->oom = true;
            return;
        }
        emit_const(c, e->home, e->k);
        break;
    case E_COND: case E_ADD: emit_cmp(c, e, e->home); break;
    }
    e->kind = E_HOME;
}
static void materialize_top(cc *c, uint32_t count) {
    for (uint32_t i = c->n - count; i < c->n; i++) materialize(c, i);
}
static void materialize_locals(cc *c) {
    for (uint32_t i = 0; c->nlocalrefs && i < c->n; i++)
        if (st(c, i)->kind == E_LOCAL) materialize(c, i);
}
/* Before local slot s is written: entries that still read it move home. */
static void spill_local(cc *c, uint32_t s) {
    for (uint32_t i = 0; c->nlocalrefs && i < c->n; i++) {
        ent *e = st(c, i);
        if (e->kind == E_LOCAL && e->slot == s) materialize(c, i);
    }
}

/* The slot a popped entry can be read from (constants and conditions are
 * written to the entry's home first: it is free once popped). */
static uint32_t src(cc *c, ent *e) {
    switch (e->kind) {
    case E_LOCAL: return e->slot;
    case E_CONST: emit_const(c, e->home, e->k); break;
    case E_COND: case E_ADD: emit_cmp(c, e, e->home); break;
    default: break;
    }
    return e->home;
}

static uint32_t local_slot(cc *c, uint32_t x) { return c->sc->lslot[x]; }
static inline void note_write(cc *c, uint32_t x) {
    if (c->sc->lstate[x] == L_UNSEEN && c->nc == 1) c->sc->lstate[x] = L_WRITTEN;
}

/* Where an instruction's result goes: straight into the local of a
 * following local.set / local.tee (consuming it), or the next home. */
static uint32_t result_dst(cc *c, aw_valtype t) {
    const uint8_t *p = c->r.p;
    /* The function's single result, returned next: computed straight into
     * slot 0, where RET leaves it (nothing reads the frame afterwards). */
    if (p < c->r.end && ((*p == OP_END && c->nc == 1) || *p == OP_RETURN) && t != AW_V128 &&
        c->ft->nresults == 1 && c->ft->result_slots == 1) {
        push(c, E_LOCAL, t)->slot = 0;
        c->nlocalrefs++;
        return 0;
    }
    if (p < c->r.end && (*p == OP_LOCAL_SET || *p == OP_LOCAL_TEE)) {
        wasm_reader r2;
        uint32_t x;
        wasm_reader_init(&r2, c->r.base, p + 1, c->r.end);
        if (wasm_read_u32(&r2, &x) && x < c->nlocals && c->sc->ltype[x] == t) {
            c->r.p = r2.p;
            c->sc->cs[c->fuel_ctl].ninstr++;
            note_write(c, x);
            uint32_t s = local_slot(c, x);
            spill_local(c, s);
            if (*p == OP_LOCAL_TEE) push_local(c, t, s);
            return s;
        }
    }
    return push_home(c, t);
}

static void write_local(cc *c, uint32_t x, ent *e) {
    uint32_t d = local_slot(c, x);
    note_write(c, x);
    if (e->kind == E_LOCAL && e->slot == d) return;
    spill_local(c, d);
    switch (e->kind) {
    case E_CONST: emit_const(c, d, e->k); break;
    case E_LOCAL: emit_copy(c, d, e->slot, e->type); break;
    case E_COND: case E_ADD: emit_cmp(c, e, d); break;
    default: emit_copy(c, d, e->home, e->type); break;
    }
}

/* ---- control -------------------------------------------------------------- */

static ctl *label(cc *c, uint32_t depth) { return &c->sc->cs[c->nc - 1 - depth]; }

static uint32_t label_arity(const ctl *t, const aw_valtype **types) {
    if (t->kind == C_LOOP) {
        *types = t->params;
        return t->nparams;
    }
    *types = t->results;
    return t->nresults;
}

static bool needs_moves(cc *c, const ctl *t) {
    const aw_valtype *types;
    uint32_t n = label_arity(t, &types), d = t->hslots;
    for (uint32_t i = 0; i < n; i++) {
        ent *e = st(c, c->n - n + i);
        if (e->kind != E_HOME || e->home != d) return true;
        d += ns(e->type);
    }
    return false;
}

/* Copies the label's values to the label's homes (ascending: sources are
 * never below their destinations, so nothing is overwritten unread). */
static void branch_moves(cc *c, const ctl *t) {
    const aw_valtype *types;
    uint32_t n = label_arity(t, &types), d = t->hslots;
    for (uint32_t i = 0; i < n; i++) {
        ent *e = st(c, c->n - n + i);
        if (e->kind == E_CONST) emit_const(c, d, e->k);
        else if (e->kind == E_LOCAL) emit_copy(c, d, e->slot, e->type);
        else if (e->kind == E_COND || e->kind == E_ADD) emit_cmp(c, e, d);
        else emit_copy(c, d, e->home, e->type);
        d += ns(e->type);
    }
}

static void emit_return(cc *c) {
    const wasm_functype *ft = c->ft;
    uint32_t nr = ft->nresults;
    if (nr == 1 && ft->result_slots == 1) {
        ent *e = st(c, c->n - 1);
        if (e->kind == E_CONST) {
            emit_const(c, 0, e->k);
            op(c, IOP_RET);
            return;
        }
        if (e->kind == E_LOCAL && e->slot == 0) {
            op(c, IOP_RET);
            return;
        }
        op(c, IOP_RET1);
        slot(c, e->kind == E_LOCAL ? e->slot : (materialize(c, c->n - 1), e->home));
        return;
    }
    materialize_top(c, nr);
    uint32_t d = 0;
    for (uint32_t i = c->n - nr; i < c->n; i++) {
        ent *e = st(c, i);
        emit_copy(c, d, e->home, e->type);
        d += ns(e->type);
    }
    op(c, IOP_RET);
}

/* An unconditional branch to label t with its values. */
static void emit_br(cc *c, ctl *t) {
    if (t->kind == C_FUNC) {
        emit_return(c);
        return;
    }
    branch_moves(c, t);
    if (t->kind == C_LOOP) {
        op(c, IOP_BRL);
        target(c, t->loop_pc + 2);
        return;
    }
    op(c, IOP_BR);
    fwd(c, &t->chain);
}

static void label_ref(cc *c, ctl *t, int64_t *chain) {
    if (!t) fwd(c, chain);
    else if (t->kind == C_LOOP) target(c, t->loop_pc);
    else fwd(c, &t->chain);
}

/* Branch to t (or into *chain when t is NULL) if cond is `sense`. */
/* Branches to a loop are back edges: the BRL forms (interp.h, LIMITS). */
static void cond_branch(cc *c, ent *cond, bool sense, ctl *t, int64_t *chain) {
    bool back = t && t->kind == C_LOOP;
    /* i32.and with a constant, then a test against zero: one BR_AND_[N]Z
     * (the and's result is in a home nothing else reads). */
    int zcmp = -1; /* 0: branch if zero, 1: if nonzero */
    if (cond->kind == E_COND && cond->has_imm && cond->k == 0 && cond->cmp <= 1)
        zcmp = (sense ? cond->cmp : cmp_inv(cond->cmp)) == 1;
    else if (cond->kind == E_HOME)
        zcmp = sense;
    uint32_t cs = cond->kind == E_COND ? cond->slot : cond->home;
    if (zcmp >= 0 && cs >= c->base && last_is(c, IOP_I32_AND_I, 4) &&
        c->sc->code[c->last_pc + 1].i == (int64_t)cs * 8) {
        wasm_code a = c->sc->code[c->last_pc + 2], k = c->sc->code[c->last_pc + 3];
        c->sc->ncode = c->last_pc;
        op(c, (back ? IOP_BRL_AND_Z : IOP_BR_AND_Z) + zcmp);
        word(c, a);
        word(c, k);
        if (back) target(c, t->loop_pc + 2);
        else label_ref(c, t, chain);
        return;
    }
    if (cond->kind == E_COND) {
        int cmp = sense ? cond->cmp : cmp_inv(cond->cmp);
        op(c, (back ? IOP_BRL_I32_EQ : IOP_BR_I32_EQ) + 2 * cmp + cond->has_imm);
        slot(c, cond->slot);
        if (cond->has_imm) imm(c, cond->k);
        else slot(c, cond->slot_b);
    } else if (cond->kind == E_CONST) {
        if (((uint32_t)cond->k != 0) != sense) return;
        op(c, back ? IOP_BRL : IOP_BR);
    } else {
        uint32_t s = src(c, cond);
        op(c, back ? (sense ? IOP_BRL_IF : IOP_BRL_UNLESS) : (sense ? IOP_BR_IF : IOP_BR_UNLESS));
        slot(c, s);
    }
    if (back) target(c, t->loop_pc + 2);
    else label_ref(c, t, chain);
}

static void set_dead(cc *c) {
    ctl *t = label(c, 0);
    t->dead = true;
    truncate_to(c, t->height);
}

static bool read_blocktype(cc *c, uint32_t *np, const aw_valtype **p, uint32_t *nr,
                           const aw_valtype **rs) {
    int64_t bt;
    if (!wasm_read_s33(&c->r, &bt)) return false;
    *np = 0, *nr = 0, *p = NULL, *rs = NULL;
    if (bt == -64) return true;
    if (bt < 0) {
        *nr = 1;
        *rs = valtype_ptr((aw_valtype)(bt & 0x7F));
        return true;
    }
    if ((uint64_t)bt >= c->m->ntypes) return false;
    const wasm_functype *t = &c->m->types[bt];
    *np = t->nparams, *p = t->types;
    *nr = t->nresults, *rs = wasm_functype_results(t);
    return true;
}

static ctl *push_ctl(cc *c, uint8_t kind, uint32_t np, const aw_valtype *p, uint32_t nr,
                     const aw_valtype *rs) {
    scratch *s = c->sc;
    if (c->nc >= s->capcs && !grow((void **)&s->cs, &s->capcs, c->nc + 1, sizeof(ctl))) {
        c->oom = true;
        return memset(&s->dummy_ctl, 0, sizeof s->dummy_ctl);
    }
    ctl *t = &s->cs[c->nc++];
    uint32_t h = c->n - np;
    *t = (ctl){.kind = kind, .height = h, .hslots = h < c->n ? st(c, h)->home : top_home(c),
               .nparams = np, .params = p, .nresults = nr, .results = rs, .chain = -1,
               .else_chain = -1, .fuel_parent = c->fuel_ctl};
    return t;
}

/* ---- skipping unreachable code -------------------------------------------- */

static bool skip_imm(wasm_reader *r, uint8_t kind) {
    uint32_t u, n;
    int64_t s;
    const uint8_t *b;
    uint8_t byte;
    switch (kind) {
    case WASM_IMM_NONE: return true;
    case WASM_IMM_BLOCK: return wasm_read_s33(r, &s);
    case WASM_IMM_LABEL: case WASM_IMM_FUNC: case WASM_IMM_LOCAL: case WASM_IMM_GLOBAL:
    case WASM_IMM_TABLE: case WASM_IMM_DATA: case WASM_IMM_ELEM:
        return wasm_read_u32(r, &u);
    case WASM_IMM_BR_TABLE:
        if (!wasm_read_u32(r, &n)) return false;
        for (uint64_t i = 0; i <= n; i++)
            if (!wasm_read_u32(r, &u)) return false;
        return true;
    case WASM_IMM_CALL_INDIRECT: case WASM_IMM_ELEM_TABLE: case WASM_IMM_TABLE_TABLE:
    case WASM_IMM_MEMARG:
        return wasm_read_u32(r, &u) && wasm_read_u32(r, &u);
    case WASM_IMM_SELECT_T:
        return wasm_read_u32(r, &n) && wasm_read_bytes(r, n, &b);
    case WASM_IMM_MEMIDX: case WASM_IMM_REFTYPE: case WASM_IMM_LANE:
        return wasm_read_u8(r, &byte);
    case WASM_IMM_I32: return wasm_read_sleb(r, 32, &s);
    case WASM_IMM_I64: return wasm_read_s64(r, &s);
    case WASM_IMM_F32: return wasm_read_bytes(r, 4, &b);
    case WASM_IMM_F64: return wasm_read_bytes(r, 8, &b);
    case WASM_IMM_DATA_MEM: return wasm_read_u32(r, &u) && wasm_read_u8(r, &byte);
    case WASM_IMM_MEM_MEM: return wasm_read_bytes(r, 2, &b);
    case WASM_IMM_V128: case WASM_IMM_SHUFFLE: return wasm_read_bytes(r, 16, &b);
    case WASM_IMM_MEMARG_LANE:
        return wasm_read_u32(r, &u) && wasm_read_u32(r, &u) && wasm_read_u8(r, &byte);
    default: return false;
    }
}

/* Skips to the else/end that closes the current block (left unread). */
static bool skip_dead(cc *c) {
    wasm_reader *r = &c->r;
    uint32_t depth = 0;
    for (;;) {
        const uint8_t *start = r->p;
        uint8_t opc;
        uint32_t sub;
        if (!wasm_read_u8(r, &opc)) return false;
        switch (opc) {
        case OP_BLOCK: case OP_LOOP: case OP_IF:
            depth++;
            if (!skip_imm(r, WASM_IMM_BLOCK)) return false;
            break;
        case OP_ELSE:
            if (!depth) {
                r->p = start;
                return true;
            }
            break;
        case OP_END:
            if (!depth) {
                r->p = start;
                return true;
            }
            depth--;
            break;
        case OP_PREFIX_FC:
            if (!wasm_read_u32(r, &sub) || sub >= 32 || !skip_imm(r, imm_fc[sub])) return false;
            break;
        case OP_PREFIX_FD:
            if (!wasm_read_u32(r, &sub) || sub >= 256 || !skip_imm(r, imm_fd[sub])) return false;
            break;
        default:
            if (!skip_imm(r, imm_main[opc])) return false;
        }
    }
}

/* ---- instruction families ------------------------------------------------- */

static uint8_t peek(cc *c) { return c->r.p < c->r.end ? *c->r.p : 0xFF; }
static bool cond_consumer(uint8_t o) { return o == OP_BR_IF || o == OP_IF || o == OP_I32_EQZ; }
/* A load takes an i32.add just before it as base + index (E_ADD); p is
 * the load's first byte. */
static bool is_load_at(const uint8_t *p, const uint8_t *end) {
    return p < end && ((*p >= OP_I32_LOAD && *p <= OP_I64_LOAD32_U) ||
                       (*p == OP_PREFIX_FD && p + 1 < end && p[1] == OP_V128_LOAD));
}

static void do_icmp(cc *c, int cmp) {
    ent b = pop(c), a = pop(c);
    if (a.kind == E_CONST && b.kind != E_CONST) {
        ent t = a;
        a = b, b = t;
        cmp = cmp_swap(cmp);
    }
    bool has_imm = b.kind == E_CONST;
    uint32_t sa = src(c, &a), sb = has_imm ? 0 : src(c, &b);
    if (cond_consumer(peek(c))) {
        ent *e = push(c, E_COND, AW_I32);
        e->cmp = (uint8_t)cmp, e->has_imm = has_imm, e->slot = sa, e->slot_b = sb, e->k = b.k;
        return;
    }
    uint32_t d = result_dst(c, AW_I32);
    op(c, (has_imm ? IOP_I32_EQ_I : IOP_I32_EQ) + cmp);
    slot(c, d);
    slot(c, sa);
    if (has_imm) imm(c, b.k);
    else slot(c, sb);
}

static void do_eqz(cc *c, bool is64) {
    ent *t = st(c, c->n - 1);
    if (!is64 && t->kind == E_COND) {
        t->cmp = (uint8_t)cmp_inv(t->cmp);
        return;
    }
    ent a = pop(c);
    if (a.kind == E_CONST) {
        push_const(c, AW_I32, (is64 ? a.k : (uint32_t)a.k) == 0);
        return;
    }
    uint32_t sa = src(c, &a);
    if (cond_consumer(peek(c))) {
        ent *e = push(c, E_COND, AW_I32);
        e->cmp = is64 ? 10 : 0, e->has_imm = 1, e->slot = sa, e->k = 0;
        return;
    }
    uint32_t d = result_dst(c, AW_I32);
    op(c, is64 ? IOP_I64_EQZ : IOP_I32_EQZ);
    slot(c, d);
    slot(c, sa);
}

/* xor of a value with a shift/rotate by a constant computed just before
 * (hashes, PRNGs, SHA-2): one XOR_<shift> d, a, x, k. */
static int xor_fused(int shift, int iop) {
    if (iop == IOP_I32_XOR) {
        if (shift == IOP_I32_ROTL_I) return IOP_XOR_ROTL32;
        if (shift == IOP_I32_SHR_U_I) return IOP_XOR_SHRU32;
        if (shift == IOP_I32_SHL_I) return IOP_XOR_SHL32;
    } else if (iop == IOP_I64_XOR) {
        if (shift == IOP_I64_ROTL_I) return IOP_XOR_ROTL64;
        if (shift == IOP_I64_SHR_U_I) return IOP_XOR_SHRU64;
        if (shift == IOP_I64_SHL_I) return IOP_XOR_SHL64;
    }
    return -1;
}

static void do_ialu(cc *c, int iop, aw_valtype t) {
    ent b = pop(c), a = pop(c);
    if (a.kind == E_CONST && b.kind != E_CONST && ialu_commutes(iop)) {
        ent x = a;
        a = b, b = x;
    }
    bool has_imm = b.kind == E_CONST;
    uint32_t sa = src(c, &a), sb = has_imm ? 0 : src(c, &b);
    if (iop == IOP_I32_ADD && is_load_at(c->r.p, c->r.end)) {
        ent *e = push(c, E_ADD, AW_I32);
        e->has_imm = has_imm, e->slot = sa, e->slot_b = sb, e->k = (uint32_t)b.k;
        return;
    }
    int fused = has_imm ? -1 : xor_fused(c->last_iop, iop);
    if (fused >= 0 && last_is(c, c->last_iop, 4)) {
        /* the shift's result must be one operand, in a home nothing else reads */
        uint32_t ld = (uint32_t)(c->sc->code[c->last_pc + 1].i / 8), other;
        if (b.kind == E_HOME && sb == ld && sb >= c->base) other = sa;
        else if (a.kind == E_HOME && sa == ld && sa >= c->base) other = sb;
        else goto plain;
        wasm_code x = c->sc->code[c->last_pc + 2], k = c->sc->code[c->last_pc + 3];
        c->sc->ncode = c->last_pc;
        c->last_iop = IOP_NOP;
        uint32_t d = result_dst(c, t);
        op(c, fused);
        slot(c, d);
        slot(c, other);
        word(c, x);
        word(c, k);
        return;
    }
plain:;
    uint32_t d = result_dst(c, t);
    op(c, has_imm ? iop - IOP_I32_ADD + IOP_I32_ADD_I : iop);
    slot(c, d);
    slot(c, sa);
    if (has_imm) imm(c, t == AW_I32 ? (uint32_t)b.k : b.k);
    else slot(c, sb);
}

/* Numeric ops described by their opcodes.h signature ("ii_i", "f_d", ...). */
/* Division by a constant that cannot trap uses the immediate form. */
static bool do_divk(cc *c, int iop) {
    if (iop < IOP_I32_DIV_S || iop > IOP_I64_REM_U) return false;
    ent *b = st(c, c->n - 1);
    bool is64 = iop >= IOP_I64_DIV_S;
    bool is_signed = iop == IOP_I32_DIV_S || iop == IOP_I32_REM_S || iop == IOP_I64_DIV_S ||
                     iop == IOP_I64_REM_S;
    uint64_t k = is64 ? b->k : (uint32_t)b->k;
    uint64_t minus1 = is64 ? UINT64_MAX : UINT32_MAX;
    if (b->kind != E_CONST || k == 0 || (is_signed && k == minus1)) return false;
    pop(c);
    ent a = pop(c);
    uint32_t sa = src(c, &a);
    uint32_t d = result_dst(c, is64 ? AW_I64 : AW_I32);
    op(c, IOP_I32_DIV_S_I + (iop - IOP_I32_DIV_S));
    slot(c, d);
    slot(c, sa);
    imm(c, k);
    return true;
}

/* iop -> its float immediate form + 1; and the op with operands swapped. */
#define FIMM_MAP(n) [IOP_##n] = IOP_##n##_I + 1,
static const uint16_t fimm_of[IOP_COUNT] = {WASM_FIMM(FIMM_MAP)};
static int fswap(int iop) {
    switch (iop) {
    case IOP_F32_ADD: case IOP_F32_MUL: case IOP_F32_EQ: case IOP_F32_NE:
    case IOP_F64_ADD: case IOP_F64_MUL: case IOP_F64_EQ: case IOP_F64_NE: return iop;
    case IOP_F32_LT: return IOP_F32_GT;
    case IOP_F32_GT: return IOP_F32_LT;
    case IOP_F32_LE: return IOP_F32_GE;
    case IOP_F32_GE: return IOP_F32_LE;
    case IOP_F64_LT: return IOP_F64_GT;
    case IOP_F64_GT: return IOP_F64_LT;
    case IOP_F64_LE: return IOP_F64_GE;
    case IOP_F64_GE: return IOP_F64_LE;
    default: return -1;
    }
}

/* A float op with a constant operand: NAME_I d, a, bits (no CONST). */
static bool do_fimm(cc *c, int iop, const char *sig) {
    if (!fimm_of[iop] || c->n < 2) return false;
    bool swap = st(c, c->n - 2)->kind == E_CONST && st(c, c->n - 1)->kind != E_CONST && fswap(iop) >= 0;
    if (!swap && st(c, c->n - 1)->kind != E_CONST) return false;
    ent kb = pop(c), ea = pop(c);
    if (swap) {
        ent x = kb;
        kb = ea, ea = x;
        iop = fswap(iop);
    }
    uint32_t sa = src(c, &ea);
    uint32_t d = result_dst(c, sig_type(sig[3]));
    op(c, fimm_of[iop] - 1);
    slot(c, d);
    slot(c, sa);
    imm(c, kb.k);
    return true;
}

static void do_numeric(cc *c, int iop, const char *sig) {
    if (do_divk(c, iop) || do_fimm(c, iop, sig)) return;
    uint32_t nin = (uint32_t)(strchr(sig, '_') - sig);
    ent in[2];
    for (uint32_t i = nin; i-- > 0;) in[i] = pop(c);
    uint32_t s[2];
    for (uint32_t i = 0; i < nin; i++) s[i] = src(c, &in[i]);
    uint32_t d = result_dst(c, sig_type(sig[nin + 1]));
    uint32_t pc = op(c, iop);
    if (num_traps(iop)) trapsite(c, pc);
    slot(c, d);
    for (uint32_t i = 0; i < nin; i++) slot(c, s[i]);
}

static bool do_call(cc *c, uint32_t fidx, const wasm_functype *ft, int iop, const void *operand,
                    uint32_t idx_slot, uint32_t table) {
    uint32_t np = ft->nparams;
    materialize_top(c, np);
    uint32_t base = np ? st(c, c->n - np)->home : top_home(c);
    uint32_t need = base + (ft->param_slots > ft->result_slots ? ft->param_slots : ft->result_slots);
    if (need > c->max_slots) c->max_slots = need;
    truncate_to(c, c->n - np);
    uint32_t pc = op(c, iop);
    trapsite(c, pc);
    if (iop == IOP_CALL) ptr(c, operand);
    else if (iop == IOP_CALL_ANY) imm(c, fidx);
    else {
        ptr(c, operand);
        imm(c, table);
        slot(c, idx_slot);
    }
    slot(c, base);
    const aw_valtype *rt = wasm_functype_results(ft);
    for (uint32_t i = 0; i < ft->nresults; i++) push_home(c, rt[i]);
    return true;
}

static bool do_br_table(cc *c) {
    uint32_t n;
    if (!wasm_read_u32(&c->r, &n)) return false;
    /* Each label takes a byte at least (and the body was validated). */
    if ((uint64_t)n + 1 > wasm_reader_left(&c->r) || n >= UINT32_MAX / 4) return false;
    scratch *s = c->sc;
    if (!grow((void **)&s->tmp, &s->captmp, 2 * (n + 1), sizeof *s->tmp)) {
        c->oom = true;
        return false;
    }
    uint32_t *depths = s->tmp, *words = s->tmp + n + 1;
    bool ok = true;
    for (uint32_t i = 0; ok && i <= n; i++) ok = wasm_read_u32(&c->r, &depths[i]) && depths[i] < c->nc;
    if (!ok) goto done;
    ent idx = pop(c);
    if (idx.kind == E_CONST) { /* a constant index is a plain br */
        uint32_t i = (uint32_t)idx.k;
        emit_br(c, label(c, depths[i < n ? i : n]));
        goto done;
    }
    uint32_t si = src(c, &idx);
    op(c, IOP_BR_TABLE);
    slot(c, si);
    imm(c, n);
    for (uint32_t i = 0; i <= n; i++) {
        ctl *t = label(c, depths[i]);
        words[i] = c->sc->ncode;
        if (t->kind != C_FUNC && !needs_moves(c, t)) {
            label_ref(c, t, NULL);
        } else {
            reloc(c);
            imm(c, UINT32_MAX); /* stub, filled below */
        }
    }
    /* Stubs for the labels that need their values moved (one per label). */
    for (uint32_t i = 0; i <= n && !c->oom; i++) {
        if (c->sc->code[words[i]].u != UINT32_MAX) continue;
        uint32_t stub = c->sc->ncode;
        emit_br(c, label(c, depths[i]));
        for (uint32_t j = i; j <= n && !c->oom; j++)
            if (depths[j] == depths[i] && c->sc->code[words[j]].u == UINT32_MAX)
                c->sc->code[words[j]].u = stub;
    }
done:
    return ok;
}

static bool read_memarg(cc *c, uint64_t *offset) {
    uint32_t align, off;
    if (!wasm_read_u32(&c->r, &align) || !wasm_read_u32(&c->r, &off)) return false;
    *offset = off;
    return true;
}

static bool do_simd(cc *c) {
    uint32_t sub;
    if (!wasm_read_u32(&c->r, &sub) || sub >= 256) return false;
    const char *sig = sig_fd[sub];
    uint64_t off;
    if (!sig[0]) return false;
    if (sub == OP_V128_CONST) {
        const uint8_t *b;
        if (!wasm_read_bytes(&c->r, 16, &b)) return false;
        uint64_t lo, hi;
        memcpy(&lo, b, 8);
        memcpy(&hi, b + 8, 8);
        uint32_t d = result_dst(c, AW_V128);
        op(c, IOP_CONST2);
        slot(c, d);
        imm(c, lo);
        imm(c, hi);
        return true;
    }
    uint8_t kind = imm_fd[sub];
    if (kind == WASM_IMM_MEMARG || kind == WASM_IMM_MEMARG_LANE) {
        uint8_t lane = 0;
        if (!read_memarg(c, &off)) return false;
        if (kind == WASM_IMM_MEMARG_LANE && !wasm_read_u8(&c->r, &lane)) return false;
        uint32_t size = wasm_simd_access_size(sub);
        bool is_store = sig[strlen(sig) - 1] == '_';
        if (is_store) {
            ent v = pop(c), a = pop(c);
            uint32_t sa = src(c, &a), sv = src(c, &v);
            uint32_t pc = op(c, sub == OP_V128_STORE ? IOP_V128_STORE : IOP_V128_STORE_LANE);
            trapsite(c, pc);
            slot(c, sa);
            slot(c, sv);
            imm(c, off);
            if (sub != OP_V128_STORE) {
                imm(c, size);
                imm(c, (uint64_t)lane * size);
            }
            return true;
        }
        ent v = {0}, a;
        bool has_vec = kind == WASM_IMM_MEMARG_LANE;
        if (has_vec) v = pop(c);
        a = pop(c);
        if (sub == OP_V128_LOAD && a.kind == E_ADD) {
            uint32_t d = result_dst(c, AW_V128);
            trapsite(c, op(c, a.has_imm ? IOP_V128_LOAD_RI : IOP_V128_LOAD_RR));
            slot(c, d);
            slot(c, a.slot);
            if (a.has_imm) imm(c, a.k);
            else slot(c, a.slot_b);
            imm(c, off);
            return true;
        }
        uint32_t sa = src(c, &a), sv = has_vec ? src(c, &v) : 0;
        uint32_t d = result_dst(c, AW_V128);
        if (sub == OP_V128_LOAD) {
            trapsite(c, op(c, IOP_V128_LOAD));
            slot(c, d);
            slot(c, sa);
            imm(c, off);
            return true;
        }
        if (!wasm_simd_loads[sub]) return false;
        trapsite(c, op(c, IOP_V128_LOADX));
        slot(c, d);
        slot(c, sa);
        imm(c, off);
        ptr(c, (const void *)wasm_simd_loads[sub]);
        imm(c, size);
        slot(c, sv);
        imm(c, lane);
        return true;
    }
    const uint8_t *immp = NULL;
    if (kind == WASM_IMM_LANE || kind == WASM_IMM_SHUFFLE) {
        immp = c->r.p;
        const uint8_t *b;
        if (!wasm_read_bytes(&c->r, kind == WASM_IMM_LANE ? 1 : 16, &b)) return false;
    }
    if (map_vbin[sub]) {
        ent b = pop(c), a = pop(c);
        uint32_t sa = src(c, &a), sb = src(c, &b);
        uint32_t d = result_dst(c, AW_V128);
        op(c, map_vbin[sub] - 1);
        slot(c, d);
        slot(c, sa);
        slot(c, sb);
        return true;
    }
    if (map_vlane[sub]) { /* extract_lane d, a, lane / splat d, a */
        ent a = pop(c);
        uint32_t sa = src(c, &a);
        uint32_t d = result_dst(c, sig_type(sig[2]));
        op(c, map_vlane[sub] - 1);
        slot(c, d);
        slot(c, sa);
        if (immp) imm(c, *immp);
        return true;
    }
    wasm_simd_fn fnp = wasm_simd_ops[sub];
    if (!fnp) return false;
    uint32_t nin = (uint32_t)(strchr(sig, '_') - sig);
    ent in[3];
    uint32_t s[3] = {0, 0, 0};
    for (uint32_t i = nin; i-- > 0;) in[i] = pop(c);
    for (uint32_t i = 0; i < nin; i++) s[i] = src(c, &in[i]);
    uint32_t d = result_dst(c, sig_type(sig[nin + 1]));
    op(c, IOP_SIMD);
    slot(c, d);
    slot(c, s[0]);
    slot(c, s[1]);
    slot(c, s[2]);
    word(c, (wasm_code){.p = (const void *)fnp});
    ptr(c, immp);
    return true;
}

static bool do_fc(cc *c) {
    uint32_t sub, a = 0, b = 0;
    uint8_t byte;
    if (!wasm_read_u32(&c->r, &sub) || sub >= 32) return false;
    if (map_sat[sub]) {
        do_numeric(c, map_sat[sub] - 1, sig_fc[sub]);
        return true;
    }
    ent e[3];
    uint32_t s[3];
    uint32_t pc;
    switch (sub) {
    case OP_MEMORY_INIT:
        if (!wasm_read_u32(&c->r, &a) || !wasm_read_u8(&c->r, &byte)) return false;
        goto three;
    case OP_MEMORY_COPY:
        if (!wasm_read_u8(&c->r, &byte) || !wasm_read_u8(&c->r, &byte)) return false;
        a = b = 0;
        goto three;
    case OP_MEMORY_FILL:
        if (!wasm_read_u8(&c->r, &byte)) return false;
        a = b = 0;
        goto three;
    case OP_TABLE_INIT: /* elem, table */
    case OP_TABLE_COPY: /* dst, src */
        if (!wasm_read_u32(&c->r, &a) || !wasm_read_u32(&c->r, &b)) return false;
        goto three;
    case OP_TABLE_FILL:
        if (!wasm_read_u32(&c->r, &a)) return false;
        goto three;
    case OP_DATA_DROP:
    case OP_ELEM_DROP:
        if (!wasm_read_u32(&c->r, &a)) return false;
        op(c, sub == OP_DATA_DROP ? IOP_DATA_DROP : IOP_ELEM_DROP);
        imm(c, a);
        return true;
    case OP_TABLE_GROW: {
        if (!wasm_read_u32(&c->r, &a)) return false;
        e[1] = pop(c), e[0] = pop(c);
        s[0] = src(c, &e[0]), s[1] = src(c, &e[1]);
        uint32_t d = result_dst(c, AW_I32);
        op(c, IOP_TABLE_GROW);
        slot(c, d);
        imm(c, a);
        slot(c, s[0]);
        slot(c, s[1]);
        return true;
    }
    case OP_TABLE_SIZE: {
        if (!wasm_read_u32(&c->r, &a)) return false;
        uint32_t d = result_dst(c, AW_I32);
        op(c, IOP_TABLE_SIZE);
        slot(c, d);
        imm(c, a);
        return true;
    }
    default: return false;
    }
three:
    e[2] = pop(c), e[1] = pop(c), e[0] = pop(c);
    for (int i = 0; i < 3; i++) s[i] = src(c, &e[i]);
    switch (sub) {
    case OP_MEMORY_INIT: pc = op(c, IOP_MEMORY_INIT); break;
    case OP_MEMORY_COPY: pc = op(c, IOP_MEMORY_COPY); break;
    case OP_MEMORY_FILL: pc = op(c, IOP_MEMORY_FILL); break;
    case OP_TABLE_INIT: pc = op(c, IOP_TABLE_INIT); imm(c, b); imm(c, a); break;
    case OP_TABLE_COPY: pc = op(c, IOP_TABLE_COPY); imm(c, a); imm(c, b); break;
    default: pc = op(c, IOP_TABLE_FILL); imm(c, a); break;
    }
    trapsite(c, pc);
    for (int i = 0; i < 3; i++) slot(c, s[i]);
    if (sub == OP_MEMORY_INIT) imm(c, a);
    return true;
}

/* ---- the main loop -------------------------------------------------------- */

static bool do_end(cc *c) {
    ctl *t = label(c, 0);
    if (t->kind == C_FUNC) {
        if (!t->dead) emit_return(c);
        c->nc--;
        return true;
    }
    if (!t->dead) materialize_top(c, t->nresults);
    if (t->kind == C_IF) resolve(c, t->else_chain, c->sc->ncode);
    resolve(c, t->chain, c->sc->ncode);
    if (t->kind == C_LOOP) {
        if (!c->oom) c->sc->code[t->fuel_pos].u = t->ninstr ? t->ninstr : 1;
        c->fuel_ctl = t->fuel_parent;
    }
    truncate_to(c, t->height);
    c->nc--;
    for (uint32_t i = 0; i < t->nresults; i++) push_home(c, t->results[i]);
    return true;
}

static bool translate_one(cc *c, uint8_t opc) {
    wasm_reader *r = &c->r;
    aw_module *m = c->m;
    uint32_t x, y;
    uint64_t off;
    uint16_t iop;
    switch (opc) {
    case OP_UNREACHABLE:
        trapsite(c, op(c, IOP_UNREACHABLE));
        set_dead(c);
        return true;
    case OP_NOP: return true;
    case OP_BLOCK: case OP_LOOP: case OP_IF: {
        uint32_t np, nr;
        const aw_valtype *p, *rs;
        ent cond = {0};
        if (!read_blocktype(c, &np, &p, &nr, &rs)) return false;
        if (opc == OP_IF) cond = pop(c);
        materialize_locals(c);
        if (opc != OP_BLOCK) materialize_top(c, np);
        int64_t else_chain = -1;
        if (opc == OP_IF) cond_branch(c, &cond, false, NULL, &else_chain);
        ctl *t = push_ctl(c, opc == OP_BLOCK ? C_BLOCK : opc == OP_LOOP ? C_LOOP : C_IF, np, p, nr, rs);
        t->else_chain = else_chain;
        if (opc == OP_LOOP) {
            t->loop_pc = c->sc->ncode;
            trapsite(c, op(c, IOP_LOOP));
            t->fuel_pos = c->sc->ncode;
            imm(c, 1);
            c->fuel_ctl = c->nc - 1;
        }
        return true;
    }
    case OP_ELSE: {
        ctl *t = label(c, 0);
        if (!t->dead) {
            materialize_top(c, t->nresults);
            op(c, IOP_BR);
            fwd(c, &t->chain);
        }
        resolve(c, t->else_chain, c->sc->ncode);
        t->else_chain = -1;
        truncate_to(c, t->height);
        for (uint32_t i = 0; i < t->nparams; i++) push_home(c, t->params[i]);
        t->kind = C_ELSE;
        t->dead = false;
        return true;
    }
    case OP_END: return do_end(c);
    case OP_BR:
        if (!wasm_read_u32(r, &x) || x >= c->nc) return false;
        emit_br(c, label(c, x));
        set_dead(c);
        return true;
    case OP_BR_IF: {
        if (!wasm_read_u32(r, &x) || x >= c->nc) return false;
        ent cond = pop(c);
        ctl *t = label(c, x);
        if (t->kind != C_FUNC && !needs_moves(c, t)) {
            cond_branch(c, &cond, true, t, NULL);
        } else {
            int64_t skip = -1;
            cond_branch(c, &cond, false, NULL, &skip);
            emit_br(c, t);
            resolve(c, skip, c->sc->ncode);
        }
        return true;
    }
    case OP_BR_TABLE:
        if (!do_br_table(c)) return false;
        set_dead(c);
        return true;
    case OP_RETURN:
        emit_return(c);
        set_dead(c);
        return true;
    case OP_CALL: {
        if (!wasm_read_u32(r, &x) || x >= m->nfuncs) return false;
        const wasm_functype *ft = &m->types[m->func_types[x]];
        if (x >= m->nfunc_imports)
            return do_call(c, x, ft, IOP_CALL, &c->mc->fns[x - m->nfunc_imports], 0, 0);
        return do_call(c, x, ft, IOP_CALL_ANY, NULL, 0, 0);
    }
    case OP_CALL_INDIRECT: {
        if (!wasm_read_u32(r, &x) || !wasm_read_u32(r, &y) || x >= m->ntypes) return false;
        ent idx = pop(c);
        uint32_t si = src(c, &idx);
        return do_call(c, 0, &m->types[x], IOP_CALL_INDIRECT, &m->types[x], si, y);
    }
    case OP_DROP: pop(c); return true;
    case OP_SELECT: case OP_SELECT_T: {
        if (opc == OP_SELECT_T) {
            const uint8_t *b;
            if (!wasm_read_u32(r, &x) || !wasm_read_bytes(r, x, &b)) return false;
        }
        ent e3 = pop(c), e2 = pop(c), e1 = pop(c);
        uint32_t s1 = src(c, &e1), s2 = src(c, &e2), s3 = src(c, &e3);
        uint32_t d = result_dst(c, e1.type);
        op(c, e1.type == AW_V128 ? IOP_SELECT2 : IOP_SELECT);
        slot(c, d);
        slot(c, s1);
        slot(c, s2);
        slot(c, s3);
        return true;
    }
    case OP_LOCAL_GET:
        if (!wasm_read_u32(r, &x) || x >= c->nlocals) return false;
        if (c->sc->lstate[x] == L_UNSEEN) c->sc->lstate[x] = L_READ;
        push_local(c, c->sc->ltype[x], local_slot(c, x));
        return true;
    case OP_LOCAL_SET: {
        if (!wasm_read_u32(r, &x) || x >= c->nlocals) return false;
        ent e = pop(c);
        write_local(c, x, &e);
        return true;
    }
    case OP_LOCAL_TEE: {
        if (!wasm_read_u32(r, &x) || x >= c->nlocals) return false;
        ent e = pop(c);
        write_local(c, x, &e);
        if (e.kind == E_COND) e.kind = E_LOCAL, e.slot = local_slot(c, x);
        push_ent(c, &e);
        return true;
    }
    case OP_GLOBAL_GET: {
        if (!wasm_read_u32(r, &x) || x >= m->nglobals) return false;
        aw_valtype t = m->globals[x].type;
        uint32_t d = result_dst(c, t);
        op(c, t == AW_V128 ? IOP_GLOBAL_GET2 : IOP_GLOBAL_GET);
        slot(c, d);
        imm(c, x);
        return true;
    }
    case OP_GLOBAL_SET: {
        if (!wasm_read_u32(r, &x) || x >= m->nglobals) return false;
        ent e = pop(c);
        uint32_t s = src(c, &e);
        op(c, e.type == AW_V128 ? IOP_GLOBAL_SET2 : IOP_GLOBAL_SET);
        imm(c, x);
        slot(c, s);
        return true;
    }
    case OP_TABLE_GET: {
        if (!wasm_read_u32(r, &x) || x >= m->ntables) return false;
        ent i = pop(c);
        uint32_t si = src(c, &i);
        uint32_t d = result_dst(c, m->tables[x].elem);
        trapsite(c, op(c, IOP_TABLE_GET));
        slot(c, d);
        imm(c, x);
        slot(c, si);
        return true;
    }
    case OP_TABLE_SET: {
        if (!wasm_read_u32(r, &x) || x >= m->ntables) return false;
        ent v = pop(c), i = pop(c);
        uint32_t si = src(c, &i), sv = src(c, &v);
        trapsite(c, op(c, IOP_TABLE_SET));
        imm(c, x);
        slot(c, si);
        slot(c, sv);
        return true;
    }
    case OP_MEMORY_SIZE: case OP_MEMORY_GROW: {
        uint8_t b;
        if (!wasm_read_u8(r, &b)) return false;
        uint32_t sa = 0;
        if (opc == OP_MEMORY_GROW) {
            ent a = pop(c);
            sa = src(c, &a);
        }
        uint32_t d = result_dst(c, AW_I32);
        op(c, opc == OP_MEMORY_GROW ? IOP_MEMORY_GROW : IOP_MEMORY_SIZE);
        slot(c, d);
        if (opc == OP_MEMORY_GROW) slot(c, sa);
        return true;
    }
    case OP_I32_CONST: {
        int32_t v;
        if (!wasm_read_s32(r, &v)) return false;
        push_const(c, AW_I32, (uint32_t)v);
        return true;
    }
    case OP_I64_CONST: {
        int64_t v;
        if (!wasm_read_s64(r, &v)) return false;
        push_const(c, AW_I64, (uint64_t)v);
        return true;
    }
    case OP_F32_CONST: {
        uint32_t v;
        if (!wasm_read_fixed32(r, &v)) return false;
        push_const(c, AW_F32, v);
        return true;
    }
    case OP_F64_CONST: {
        uint64_t v;
        if (!wasm_read_fixed64(r, &v)) return false;
        push_const(c, AW_F64, v);
        return true;
    }
    case OP_I32_EQZ: do_eqz(c, false); return true;
    case OP_I64_EQZ: do_eqz(c, true); return true;
    case OP_I32_REINTERPRET_F32: case OP_I64_REINTERPRET_F64:
    case OP_F32_REINTERPRET_I32: case OP_F64_REINTERPRET_I64:
        /* same bits, new type: only the entry's type changes */
        st(c, c->n - 1)->type = sig_type(sig_main[opc][2]);
        return true;
    case OP_REF_NULL: {
        uint8_t t;
        if (!wasm_read_u8(r, &t)) return false;
        push_const(c, (aw_valtype)t, 0);
        return true;
    }
    case OP_REF_IS_NULL: {
        ent a = pop(c);
        uint32_t sa = src(c, &a);
        uint32_t d = result_dst(c, AW_I32);
        op(c, IOP_REF_IS_NULL);
        slot(c, d);
        slot(c, sa);
        return true;
    }
    case OP_REF_FUNC: {
        if (!wasm_read_u32(r, &x)) return false;
        uint32_t d = result_dst(c, AW_FUNCREF);
        op(c, IOP_REF_FUNC);
        slot(c, d);
        imm(c, x);
        return true;
    }
    case OP_PREFIX_FC: return do_fc(c);
    case OP_PREFIX_FD: return do_simd(c);
    default: break;
    }
    if ((iop = map_icmp[opc])) {
        do_icmp(c, iop - 1 - IOP_I32_EQ);
        return true;
    }
    if ((iop = map_ialu[opc])) {
        do_ialu(c, iop - 1, sig_type(sig_main[opc][0]));
        return true;
    }
    if ((iop = map_mem[opc])) {
        const char *sig = sig_main[opc];
        if (!read_memarg(c, &off)) return false;
        if (sig[1] == '_') { /* load: "i_x" */
            ent a = pop(c);
            if (a.kind == E_ADD) { /* NAME_RR d, a, b, offset / NAME_RI d, a, k, offset */
                uint32_t d = result_dst(c, sig_type(sig[2]));
                int li = iop - 1 - IOP_I32_LOAD;
                trapsite(c, op(c, (a.has_imm ? IOP_I32_LOAD_RI : IOP_I32_LOAD_RR) + 2 * li));
                slot(c, d);
                slot(c, a.slot);
                if (a.has_imm) imm(c, a.k);
                else slot(c, a.slot_b);
                imm(c, off);
                return true;
            }
            uint32_t sa = src(c, &a);
            uint32_t d = result_dst(c, sig_type(sig[2]));
            trapsite(c, op(c, iop - 1));
            slot(c, d);
            slot(c, sa);
        } else { /* store: "ix_" */
            ent v = pop(c), a = pop(c);
            uint32_t sa = src(c, &a), sv = src(c, &v);
            trapsite(c, op(c, iop - 1));
            slot(c, sa);
            slot(c, sv);
        }
        imm(c, off);
        return true;
    }
    if ((iop = map_other[opc])) {
        do_numeric(c, iop - 1, sig_main[opc]);
        return true;
    }
    return false;
}

static bool translate(cc *c) {
    for (;;) {
        if (c->nc && label(c, 0)->dead && !skip_dead(c)) return false;
        c->cur_off = wasm_reader_offset(&c->r);
        uint8_t opc;
        if (!wasm_read_u8(&c->r, &opc)) return false;
        if (c->n) {
            uint8_t k = st(c, c->n - 1)->kind;
            if ((k == E_COND && !cond_consumer(opc)) || (k == E_ADD && !is_load_at(c->r.p - 1, c->r.end)))
                materialize(c, c->n - 1);
        }
        c->sc->cs[c->fuel_ctl].ninstr++;
        if (!translate_one(c, opc)) return false;
        if (c->oom) return false;
        if (c->nc == 0) return true;
    }
}

/* ---- module-level --------------------------------------------------------- */

/* Translated code is about five to six times the size of its bytecode
 * (8-byte words); the arena's first chunk is sized from that, so that a
 * load mostly fills one chunk. */
#define CODE_PER_BYTE 6

static void scratch_free(scratch *s) {
    free(s->relocs);
    free(s->traps);
    free(s->st);
    free(s->cs);
    free(s->lslot);
    free(s->ltype);
    free(s->lstate);
    free(s->tmp);
    memset(s, 0, sizeof *s);
}

/* Points fn at its stub (interp.h, LAZY TRANSLATION). */
static void stub_init(wasm_fn *fn, const void *const *H) {
    fn->stub[0] = (wasm_code){.h = H[IOP_LAZY]};
    fn->stub[1] = (wasm_code){.p = fn};
    fn->stub[2] = (wasm_code){.h = H[IOP_LAZY]};
    fn->stub[3] = (wasm_code){.p = fn};
    fn->code = fn->stub;
    fn->ncode = 0;
    fn->nslots = 0; /* LAZY checks the stack again once it is known */
    fn->entry_fuel = 0;
}

bool wasm_compile_begin(aw_module *m, uint32_t nworkers, bool lazy, aw_error *err) {
    uint32_t ndefs = m->nfuncs - m->nfunc_imports;
    wasm_compiled *mc = calloc(1, sizeof *mc);
    if (mc) mc->fns = calloc(ndefs ? ndefs : 1, sizeof *mc->fns);
    if (mc && mc->fns) mc->workers = calloc(nworkers ? nworkers : 1, sizeof *mc->workers);
    if (!mc || !mc->fns || !mc->workers) {
        if (mc) free(mc->fns);
        free(mc);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory loading a module");
        return false;
    }
    mc->nfns = ndefs;
    mc->nworkers = nworkers ? nworkers : 1;
    mc->lazy = lazy && pthread_mutex_init(&mc->lazy_lock, NULL) == 0;
    const void *const *H = wasm_interp_handlers();
    uint64_t body_bytes = 0;
    for (uint32_t i = 0; i < ndefs; i++) {
        mc->fns[i].func_index = m->nfunc_imports + i;
        stub_init(&mc->fns[i], H);
        m->funcs[i].code = &mc->fns[i];
        body_bytes += (uint64_t)(m->funcs[i].body_end - m->funcs[i].body);
    }
    /* Lazily, most functions of a big program never run: start smaller. */
    uint64_t expect = body_bytes * CODE_PER_BYTE / (mc->lazy ? 4 : mc->nworkers);
    for (uint32_t w = 0; w < mc->nworkers; w++) wasm_arena_init(&mc->workers[w].arena, (size_t)expect);
    m->compiled = mc;
    return true;
}

void wasm_compile_end(aw_module *m) {
    wasm_compiled *mc = m->compiled;
    for (uint32_t w = 0; mc && w < mc->nworkers; w++) {
        scratch_free(&mc->workers[w].sc);
        wasm_arena_trim(&mc->workers[w].arena);
    }
}

/* Words before the body, left free for ENTER, its fuel and a prologue of
 * up to two runs (longer ones move the body). */
#define CODE_GAP 8u

/* Puts ENTER (charging `fuel`) and the prologue `pro` before the body,
 * resolves branch targets and trap sites to their final places, and takes
 * the code from the arena. The body starts at CODE_GAP, or later by
 * `shift` when the prologue does not fit in front of it; the function
 * starts at `start`, so that position p of the body ends up at p + shift - start. */
static bool place(cc *c, wasm_fn *fn, uint32_t fuel, const wasm_code *pro, uint32_t npro) {
    scratch *sc = c->sc;
    uint32_t shift = npro + 2 > CODE_GAP ? npro + 2 - CODE_GAP : 0;
    if (shift) {
        if (!code_room(c, sc->ncode + shift)) return false;
        memmove(sc->code + CODE_GAP + shift, sc->code + CODE_GAP,
                (size_t)(sc->ncode - CODE_GAP) * sizeof(wasm_code));
        sc->ncode += shift;
    }
    wasm_code *code = sc->code;
    uint32_t start = CODE_GAP + shift - 2 - npro;
    code[start] = (wasm_code){.h = c->H[IOP_ENTER]};
    code[start + 1] = (wasm_code){.u = fuel};
    memcpy(code + start + 2, pro, npro * sizeof(wasm_code));
    for (uint32_t i = 0; i < sc->nrelocs; i++) {
        wasm_code *w = &code[sc->relocs[i] + shift];
        w->target = code + w->u + shift;
    }
    wasm_arena_commit(c->arena, code, (size_t)sc->ncode * sizeof(wasm_code));
    wasm_trapsite *traps = wasm_arena_alloc(c->arena, sc->ntraps * sizeof(wasm_trapsite), 8);
    if (!traps) return false;
    traps[0] = (wasm_trapsite){0, sc->traps[0].offset}; /* ENTER's */
    for (uint32_t i = 1; i < sc->ntraps; i++) {
        wasm_trapsite t = sc->traps[i];
        t.pc += shift - start;
        traps[i] = t;
    }
    fn->code = code + start;
    fn->traps = traps;
    fn->ncode = sc->ncode - start;
    fn->ntraps = sc->ntraps;
    return true;
}

/* Makes the translation `built` fn's: every field, then the code last
 * (release), so that whoever loads fn's code sees the rest of it. */
static void publish(wasm_fn *fn, const wasm_fn *built) {
    fn->ncode = built->ncode;
    fn->func_index = built->func_index;
    fn->param_slots = built->param_slots;
    fn->local_slots = built->local_slots;
    fn->result_slots = built->result_slots;
    fn->nslots = built->nslots;
    fn->entry_fuel = built->entry_fuel;
    fn->traps = built->traps;
    fn->ntraps = built->ntraps;
    __atomic_store_n(&fn->code, built->code, __ATOMIC_RELEASE);
}

bool wasm_compile_func(aw_module *m, uint32_t wi, uint32_t defidx, aw_error *err) {
    wasm_compiled *mc = m->compiled;
    const wasm_funcdef *fd = &m->funcs[defidx];
    uint32_t func_index = m->nfunc_imports + defidx;
    worker *wk = &mc->workers[wi];
    scratch *sc = &wk->sc;
    cc c = {.m = m, .mc = mc, .sc = sc, .arena = &wk->arena, .H = wasm_interp_handlers()};
    const wasm_functype *ft = &m->types[fd->type];
    c.ft = ft;
    c.nlocals = ft->nparams + fd->nlocals;
    sc->ncode = sc->nrelocs = sc->ntraps = 0;
    sc->code = NULL, sc->capcode = 0; /* the last function's code is taken */
    uint32_t oldcap = sc->caplocals;
    if (!grow((void **)&sc->lslot, &sc->caplocals, c.nlocals + 1, sizeof(uint32_t)) ||
        (sc->caplocals != oldcap &&
         (!(sc->ltype = realloc(sc->ltype, ((size_t)sc->caplocals) * sizeof(aw_valtype))) ||
          !(sc->lstate = realloc(sc->lstate, sc->caplocals))))) {
        wasm_error_set(err, AW_ERR_RESOURCE, func_index, fd->body_offset, "out of memory");
        return false;
    }
    uint32_t s = 0;
    for (uint32_t i = 0; i < c.nlocals; i++) {
        aw_valtype t = i < ft->nparams ? ft->types[i] : fd->local_types[i - ft->nparams];
        sc->ltype[i] = t;
        sc->lstate[i] = i < ft->nparams ? L_WRITTEN : L_UNSEEN;
        sc->lslot[i] = s;
        s += ns(t);
    }
    c.base = s;
    c.max_slots = s > ft->result_slots ? s : ft->result_slots;
    wasm_reader_init(&c.r, fd->body - fd->body_offset, fd->body, fd->body_end);

    c.cur_off = fd->body_offset;
    push_ctl(&c, C_FUNC, 0, NULL, ft->nresults, wasm_functype_results(ft));
    /* Room for about as many words as the body has bytes (most need fewer). */
    size_t body_len = (size_t)(fd->body_end - fd->body);
    if (!code_room(&c, CODE_GAP + (body_len < UINT32_MAX / 2 ? (uint32_t)body_len : UINT32_MAX / 2))) {
        wasm_error_set(err, AW_ERR_RESOURCE, func_index, fd->body_offset, "out of memory");
        return false;
    }
    /* ENTER goes in front of the body once the prologue is known (place). */
    sc->ncode = CODE_GAP;
    c.last_pc = CODE_GAP - 2, c.last_iop = IOP_ENTER;
    trapsite(&c, 0);

    if (!translate(&c) || c.oom) {
        bool oom = c.oom;
        wasm_error_set(err, oom ? AW_ERR_RESOURCE : AW_ERR_INVALID, func_index,
                       c.cur_off, oom ? "out of memory while translating" : "cannot translate instruction");
        return false;
    }
    ctl *fc = &sc->cs[0];

    /* The prologue zeroes the locals that may be read unwritten; it goes
     * between ENTER and the body (calls start at code + 2; see place). */
    enum { MAXRUNS = 16 };
    wasm_code pro[3 * MAXRUNS];
    uint32_t npro = 0, runs = 0;
    for (uint32_t i = ft->nparams; i < c.nlocals; i++) {
        if (sc->lstate[i] != L_READ) continue;
        uint32_t first = sc->lslot[i], n = ns(sc->ltype[i]);
        while (i + 1 < c.nlocals && sc->lstate[i + 1] == L_READ) n += ns(sc->ltype[++i]);
        if (++runs > MAXRUNS) { /* scattered: zero them all at once */
            npro = 0;
            first = ft->param_slots, n = c.base - ft->param_slots;
            i = c.nlocals;
        }
        pro[npro++] = (wasm_code){.h = c.H[n == 1 ? IOP_CONST : IOP_ZERO]};
        pro[npro++] = (wasm_code){.i = (int64_t)first * 8};
        pro[npro++] = (wasm_code){.u = n == 1 ? 0 : n};
    }
    wasm_fn fn = {0};
    if (!place(&c, &fn, fc->ninstr ? fc->ninstr : 1, pro, npro)) {
        wasm_error_set(err, AW_ERR_RESOURCE, func_index, fd->body_offset, "out of memory");
        return false;
    }
    fn.func_index = func_index;
    fn.param_slots = ft->param_slots;
    fn.local_slots = c.base - ft->param_slots;
    fn.result_slots = ft->result_slots;
    fn.nslots = c.max_slots;
    fn.entry_fuel = fc->ninstr ? fc->ninstr : 1;
    publish(&mc->fns[defidx], &fn);
    return true;
}

bool wasm_compile_lazy(aw_module *m, wasm_fn *fn, aw_error *err) {
    wasm_compiled *mc = m->compiled;
    if (wasm_fn_translated(fn, wasm_fn_code(fn))) return true;
    if (!mc->lazy) { /* an eager load translated everything: cannot happen */
        wasm_error_set(err, AW_ERR_RESOURCE, fn->func_index, UINT64_MAX, "function not translated");
        return false;
    }
    pthread_mutex_lock(&mc->lazy_lock);
    bool ok = wasm_fn_translated(fn, wasm_fn_code(fn)) || /* another thread did it meanwhile */
              wasm_compile_func(m, 0, fn->func_index - m->nfunc_imports, err);
    pthread_mutex_unlock(&mc->lazy_lock);
    return ok;
}

const wasm_fn *wasm_fn_at(const aw_module *m, const wasm_code *ip) {
    const wasm_compiled *mc = m->compiled;
    for (uint32_t i = 0; mc && i < mc->nfns; i++) {
        const wasm_fn *fn = &mc->fns[i];
        const wasm_code *code = wasm_fn_code(fn);
        if (wasm_fn_translated(fn, code) && ip >= code && ip < code + fn->ncode) return fn;
    }
    return NULL;
}

void wasm_compile_free(aw_module *m) {
    wasm_compiled *mc = m->compiled;
    if (!mc) return;
    for (uint32_t i = 0; i < mc->nfns && m->funcs; i++) m->funcs[i].code = NULL;
    for (uint32_t w = 0; w < mc->nworkers; w++) {
        scratch_free(&mc->workers[w].sc);
        wasm_arena_free(&mc->workers[w].arena);
    }
    free(mc->workers);
    free(mc->fns);
    if (mc->lazy) pthread_mutex_destroy(&mc->lazy_lock);
    free(mc);
    m->compiled = NULL;
}
