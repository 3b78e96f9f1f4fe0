/*
 * aot_elf.c — a small loader of x86-64 ELF relocatable objects (what
 * llvm_aot.c emits): maps every allocated section of every object of an
 * artifact into one region, resolves symbols (the objects' own globals
 * first: parts call each other, then the artifact ABI of aot_syms.c),
 * applies the relocations and makes code read-execute, data read-only.
 *
 * The objects use static relocations and the large code model, so nearly
 * every relocation is R_X86_64_64. The PC-relative kinds are handled too:
 * to a symbol outside the region (a libc function, 2 GiB away) a 32-bit
 * call goes through a stub in the region (jmp *addr), and a GOT-relative
 * load through a GOT slot the loader makes. Anything else is refused with
 * its type number, never guessed at.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wasm/aot.h"

enum { CLS_X, CLS_R, CLS_W, NCLS }; /* code, read-only data, writable data */
#define STUB_SIZE 16
#define NEED_STUB 1
#define NEED_GOT 2

typedef struct obj {
    const uint8_t *data;
    size_t len;
    const Elf64_Ehdr *eh;
    const Elf64_Shdr *sh;
    const Elf64_Sym *syms;
    size_t nsyms;
    const char *strtab;
    size_t strtab_len;
    uint64_t *secoff;  /* per section: offset in the region + 1, or 0 (not loaded) */
    uint8_t *secls;    /* per section: its class */
    uint64_t *symaddr; /* per symbol, once resolved */
    uint8_t *need;     /* per symbol: NEED_STUB | NEED_GOT */
    uint64_t *stub;    /* per symbol: offset of its stub / GOT slot in the region */
    uint64_t *got;
} obj;

typedef struct linker {
    const aw_module *m;
    obj *objs;
    uint32_t nobjs;
    uint64_t size[NCLS], start[NCLS];
    uint8_t *base;
    size_t total;
    /* the objects' global symbols: open addressing, capacity a power of 2 */
    struct gsym {
        const char *name;
        uint64_t addr;
    } *gsyms;
    size_t gcap;
    char *why;
    size_t whysize;
} linker;

__attribute__((format(printf, 2, 3)))
static bool fail(linker *l, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->why, l->whysize, fmt, ap);
    va_end(ap);
    return false;
}

static const char *sym_name(const obj *o, const Elf64_Sym *s) {
    return s->st_name < o->strtab_len ? o->strtab + s->st_name : "";
}

/* ---- parsing --------------------------------------------------------------- */

static bool in_bounds(const obj *o, uint64_t off, uint64_t size) {
    return off <= o->len && size <= o->len - off;
}

static bool parse_obj(linker *l, obj *o, uint32_t k) {
    if (o->len < sizeof(Elf64_Ehdr) || ((uintptr_t)o->data & 7))
        return fail(l, "object %u is not an ELF object (too short or misaligned)", k);
    o->eh = (const Elf64_Ehdr *)o->data;
    const Elf64_Ehdr *eh = o->eh;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_REL || eh->e_machine != EM_X86_64)
        return fail(l, "object %u is not an x86-64 ELF relocatable object", k);
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff % 8 ||
        !in_bounds(o, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
        return fail(l, "object %u: bad section header table", k);
    o->sh = (const Elf64_Shdr *)(o->data + eh->e_shoff);
    for (uint16_t i = 0; i < eh->e_shnum; i++) {
        const Elf64_Shdr *s = &o->sh[i];
        if (s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL && !in_bounds(o, s->sh_offset, s->sh_size))
            return fail(l, "object %u: section %u lies outside the object", k, i);
        if (s->sh_type != SHT_SYMTAB) continue;
        if (o->syms) return fail(l, "object %u has two symbol tables", k);
        if (s->sh_entsize != sizeof(Elf64_Sym) || s->sh_offset % 8 || s->sh_link >= eh->e_shnum)
            return fail(l, "object %u: bad symbol table", k);
        const Elf64_Shdr *st = &o->sh[s->sh_link];
        if (st->sh_type != SHT_STRTAB || !in_bounds(o, st->sh_offset, st->sh_size) || !st->sh_size ||
            o->data[st->sh_offset + st->sh_size - 1] != 0)
            return fail(l, "object %u: bad string table", k);
        o->syms = (const Elf64_Sym *)(o->data + s->sh_offset);
        o->nsyms = s->sh_size / sizeof(Elf64_Sym);
        o->strtab = (const char *)o->data + st->sh_offset;
        o->strtab_len = st->sh_size;
    }
    if (!o->syms) return fail(l, "object %u has no symbol table", k);
    o->secoff = calloc(eh->e_shnum + 1u, sizeof *o->secoff);
    o->secls = calloc(eh->e_shnum + 1u, 1);
    o->symaddr = calloc(o->nsyms + 1, sizeof *o->symaddr);
    o->need = calloc(o->nsyms + 1, 1);
    o->stub = calloc(o->nsyms + 1, sizeof *o->stub);
    o->got = calloc(o->nsyms + 1, sizeof *o->got);
    if (!o->secoff || !o->secls || !o->symaddr || !o->need || !o->stub || !o->got)
        return fail(l, "out of memory");
    return true;
}

/* ---- layout ---------------------------------------------------------------- */

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static void place(linker *l, int cls, uint64_t size, uint64_t align, uint64_t *off) {
    if (align < 1) align = 1;
    if (align > 4096) align = 4096;
    l->size[cls] = align_up(l->size[cls], align);
    *off = l->size[cls];
    l->size[cls] += size;
}

/* Which symbols need a stub (32-bit call to anywhere) or a GOT slot. */
static bool scan_relocs(linker *l, obj *o, uint32_t k) {
    for (uint16_t i = 0; i < o->eh->e_shnum; i++) {
        const Elf64_Shdr *s = &o->sh[i];
        if (s->sh_type != SHT_RELA) continue;
        if (s->sh_entsize != sizeof(Elf64_Rela) || s->sh_offset % 8)
            return fail(l, "object %u: bad relocation section %u", k, i);
        const Elf64_Rela *r = (const Elf64_Rela *)(o->data + s->sh_offset);
        for (size_t j = 0; j < s->sh_size / sizeof *r; j++) {
            uint32_t type = ELF64_R_TYPE(r[j].r_info), sym = ELF64_R_SYM(r[j].r_info);
            if (sym >= o->nsyms) return fail(l, "object %u: relocation of symbol %u out of range", k, sym);
            if (type == R_X86_64_PLT32) o->need[sym] |= NEED_STUB;
            if (type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX)
                o->need[sym] |= NEED_GOT;
        }
    }
    return true;
}

static bool layout(linker *l) {
    for (uint32_t k = 0; k < l->nobjs; k++) {
        obj *o = &l->objs[k];
        for (uint16_t i = 0; i < o->eh->e_shnum; i++) {
            const Elf64_Shdr *s = &o->sh[i];
            if (!(s->sh_flags & SHF_ALLOC) || !s->sh_size) continue;
            if (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS && s->sh_type != SHT_X86_64_UNWIND &&
                s->sh_type != SHT_INIT_ARRAY && s->sh_type != SHT_FINI_ARRAY)
                continue;
            if (s->sh_type == SHT_INIT_ARRAY)
                return fail(l, "object %u has static constructors, which artifacts never need", k);
            int cls = (s->sh_flags & SHF_EXECINSTR) ? CLS_X : (s->sh_flags & SHF_WRITE) ? CLS_W : CLS_R;
            uint64_t off;
            place(l, cls, s->sh_size, s->sh_addralign, &off);
            o->secoff[i] = off + 1;
            o->secls[i] = (uint8_t)cls;
        }
        if (!scan_relocs(l, o, k)) return false;
        for (size_t j = 0; j < o->nsyms; j++) {
            if (o->need[j] & NEED_STUB) place(l, CLS_X, STUB_SIZE, 16, &o->stub[j]);
            if (o->need[j] & NEED_GOT) place(l, CLS_R, 8, 8, &o->got[j]);
        }
    }
    long page = sysconf(_SC_PAGESIZE);
    uint64_t at = 0;
    for (int c = 0; c < NCLS; c++) {
        l->start[c] = at;
        at += align_up(l->size[c], (uint64_t)page);
    }
    l->total = at ? at : (size_t)page;
    void *p = mmap(NULL, l->total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return fail(l, "cannot map %zu bytes for the code", l->total);
    l->base = p;
    for (uint32_t k = 0; k < l->nobjs; k++) {
        obj *o = &l->objs[k];
        for (uint16_t i = 0; i < o->eh->e_shnum; i++) {
            if (!o->secoff[i]) continue;
            o->secoff[i] += l->start[o->secls[i]]; /* now: region offset + 1 */
            if (o->sh[i].sh_type != SHT_NOBITS)
                memcpy(l->base + o->secoff[i] - 1, o->data + o->sh[i].sh_offset, o->sh[i].sh_size);
        }
        for (size_t j = 0; j < o->nsyms; j++) {
            if (o->need[j] & NEED_STUB) o->stub[j] += l->start[CLS_X];
            if (o->need[j] & NEED_GOT) o->got[j] += l->start[CLS_R];
        }
    }
    return true;
}

/* ---- symbols --------------------------------------------------------------- */

static uint64_t hash_str(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

static struct gsym *gslot(linker *l, const char *name) {
    size_t i = hash_str(name) & (l->gcap - 1);
    while (l->gsyms[i].name && strcmp(l->gsyms[i].name, name)) i = (i + 1) & (l->gcap - 1);
    return &l->gsyms[i];
}

/* The address of a defined symbol, 0 with why set when it has none. */
static bool defined_addr(linker *l, obj *o, uint32_t k, const Elf64_Sym *s, uint64_t *out) {
    if (s->st_shndx == SHN_ABS) {
        *out = s->st_value;
        return true;
    }
    if (s->st_shndx >= o->eh->e_shnum || !o->secoff[s->st_shndx])
        return fail(l, "object %u: symbol '%s' is in a section that is not loaded", k, sym_name(o, s));
    *out = (uint64_t)(uintptr_t)l->base + o->secoff[s->st_shndx] - 1 + s->st_value;
    return true;
}

static bool collect_globals(linker *l) {
    size_t n = 0;
    for (uint32_t k = 0; k < l->nobjs; k++) n += l->objs[k].nsyms;
    for (l->gcap = 16; l->gcap < 2 * n; l->gcap *= 2) {}
    l->gsyms = calloc(l->gcap, sizeof *l->gsyms);
    if (!l->gsyms) return fail(l, "out of memory");
    for (uint32_t k = 0; k < l->nobjs; k++) {
        obj *o = &l->objs[k];
        for (size_t j = 1; j < o->nsyms; j++) {
            const Elf64_Sym *s = &o->syms[j];
            int bind = ELF64_ST_BIND(s->st_info);
            if (s->st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK)) continue;
            const char *name = sym_name(o, s);
            if (!strcmp(name, "aw_fntab")) continue; /* every part has its own */
            struct gsym *g = gslot(l, name);
            if (g->name) return fail(l, "symbol '%s' is defined by two parts", name);
            g->name = name;
            if (!defined_addr(l, o, k, s, &g->addr)) return false;
        }
    }
    return true;
}

static bool resolve_symbols(linker *l) {
    for (uint32_t k = 0; k < l->nobjs; k++) {
        obj *o = &l->objs[k];
        for (size_t j = 1; j < o->nsyms; j++) {
            const Elf64_Sym *s = &o->syms[j];
            int type = ELF64_ST_TYPE(s->st_info);
            if (type == STT_FILE) continue;
            if (s->st_shndx == SHN_COMMON)
                return fail(l, "object %u: common symbol '%s' is not supported", k, sym_name(o, s));
            if (s->st_shndx != SHN_UNDEF) {
                /* a symbol of a section not loaded (debug info) keeps 0:
                 * only relocations of sections not loaded refer to it */
                bool loaded = s->st_shndx == SHN_ABS || (s->st_shndx < o->eh->e_shnum && o->secoff[s->st_shndx]);
                if (loaded && !defined_addr(l, o, k, s, &o->symaddr[j])) return false;
                continue;
            }
            const char *name = sym_name(o, s);
            struct gsym *g = gslot(l, name);
            void *a = g->name ? (void *)(uintptr_t)g->addr : wasm_aot_resolve(name, l->m);
            if (!a) return fail(l, "object %u refers to '%s', which this engine does not provide", k, name);
            o->symaddr[j] = (uint64_t)(uintptr_t)a;
        }
    }
    return true;
}

/* ---- relocations ----------------------------------------------------------- */

static bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

static bool apply(linker *l, obj *o, uint32_t k, const Elf64_Shdr *target, const Elf64_Rela *r,
                  uint8_t *sec) {
    uint32_t type = ELF64_R_TYPE(r->r_info), sym = ELF64_R_SYM(r->r_info);
    uint64_t S = o->symaddr[sym], P = (uint64_t)(uintptr_t)sec + r->r_offset;
    int64_t A = r->r_addend;
    size_t width = type == R_X86_64_64 || type == R_X86_64_PC64 ? 8 : 4;
    if (type == R_X86_64_NONE) return true;
    if (r->r_offset > target->sh_size || target->sh_size - r->r_offset < width)
        return fail(l, "object %u: relocation outside its section", k);
    if (sym && !S && ELF64_ST_TYPE(o->syms[sym].st_info) != STT_SECTION)
        return fail(l, "object %u: relocation against unresolved '%s'", k, sym_name(o, &o->syms[sym]));
    int64_t v;
    switch (type) {
    case R_X86_64_64: {
        uint64_t u = S + (uint64_t)A;
        memcpy(sec + r->r_offset, &u, 8);
        return true;
    }
    case R_X86_64_PC64: {
        uint64_t u = S + (uint64_t)A - P;
        memcpy(sec + r->r_offset, &u, 8);
        return true;
    }
    case R_X86_64_PLT32:
    case R_X86_64_PC32:
        v = (int64_t)(S + (uint64_t)A - P);
        if (!fits32(v) && type == R_X86_64_PLT32 && (o->need[sym] & NEED_STUB))
            v = (int64_t)((uint64_t)(uintptr_t)l->base + o->stub[sym] + (uint64_t)A - P);
        break;
    case R_X86_64_GOTPCREL:
    case R_X86_64_GOTPCRELX:
    case R_X86_64_REX_GOTPCRELX:
        v = (int64_t)((uint64_t)(uintptr_t)l->base + o->got[sym] + (uint64_t)A - P);
        break;
    case R_X86_64_32:
        v = (int64_t)(S + (uint64_t)A);
        if (v < 0 || v > (int64_t)UINT32_MAX) return fail(l, "object %u: 32-bit address out of range", k);
        {
            uint32_t u = (uint32_t)v;
            memcpy(sec + r->r_offset, &u, 4);
        }
        return true;
    case R_X86_64_32S:
        v = (int64_t)(S + (uint64_t)A);
        break;
    default:
        return fail(l, "object %u: relocation type %u is not supported (recompile with this engine)", k, type);
    }
    if (!fits32(v))
        return fail(l, "object %u: 32-bit relocation to '%s' out of range", k, sym_name(o, &o->syms[sym]));
    int32_t s32 = (int32_t)v;
    memcpy(sec + r->r_offset, &s32, 4);
    return true;
}

static bool relocate(linker *l) {
    for (uint32_t k = 0; k < l->nobjs; k++) {
        obj *o = &l->objs[k];
        for (uint16_t i = 0; i < o->eh->e_shnum; i++) {
            const Elf64_Shdr *s = &o->sh[i];
            if (s->sh_type != SHT_RELA || s->sh_info >= o->eh->e_shnum || !o->secoff[s->sh_info]) continue;
            uint8_t *sec = l->base + o->secoff[s->sh_info] - 1;
            const Elf64_Rela *r = (const Elf64_Rela *)(o->data + s->sh_offset);
            for (size_t j = 0; j < s->sh_size / sizeof *r; j++)
                if (!apply(l, o, k, &o->sh[s->sh_info], &r[j], sec)) return false;
        }
        for (size_t j = 0; j < o->nsyms; j++) {
            if (o->need[j] & NEED_STUB) { /* jmp *0(%rip); .quad S */
                uint8_t *p = l->base + o->stub[j];
                memcpy(p, "\xff\x25\0\0\0\0", 6);
                memcpy(p + 6, &o->symaddr[j], 8);
            }
            if (o->need[j] & NEED_GOT) memcpy(l->base + o->got[j], &o->symaddr[j], 8);
        }
    }
    return true;
}

static bool protect(linker *l) {
    if (l->size[CLS_X] && mprotect(l->base + l->start[CLS_X], l->start[CLS_R] - l->start[CLS_X],
                                   PROT_READ | PROT_EXEC))
        return fail(l, "cannot make the code executable (mprotect refused: W^X policy?)");
    if (l->size[CLS_R] && mprotect(l->base + l->start[CLS_R], l->start[CLS_W] - l->start[CLS_R], PROT_READ))
        return fail(l, "cannot make the code's constants read-only");
    return true;
}

/* Each part's aw_fntab: native entry, wrapper per function of the part. */
static bool entries(linker *l, const wasm_aot_obj *objs, void **natives, wasm_jit_slots_fn *wrappers) {
    uint32_t ndefs = l->m->nfuncs - l->m->nfunc_imports, covered = 0;
    for (uint32_t k = 0; k < l->nobjs; k++) {
        obj *o = &l->objs[k];
        const wasm_aot_obj *w = &objs[k];
        if (w->hi > ndefs || w->lo != covered)
            return fail(l, "object %u covers functions [%u, %u), which do not follow on", k, w->lo, w->hi);
        covered = w->hi;
        if (w->lo == w->hi) continue;
        const Elf64_Sym *tab = NULL;
        for (size_t j = 1; j < o->nsyms && !tab; j++)
            if (o->syms[j].st_shndx != SHN_UNDEF && !strcmp(sym_name(o, &o->syms[j]), "aw_fntab"))
                tab = &o->syms[j];
        uint64_t addr;
        if (!tab || tab->st_size < 16ull * (w->hi - w->lo) || !defined_addr(l, o, k, tab, &addr))
            return fail(l, "object %u has no function table for its functions", k);
        void *const *t = (void *const *)(uintptr_t)addr;
        for (uint32_t d = w->lo; d < w->hi; d++) {
            natives[d] = t[2 * (d - w->lo)];
            memcpy(&wrappers[d], &t[2 * (d - w->lo) + 1], sizeof wrappers[d]);
        }
    }
    if (covered != ndefs) return fail(l, "the artifact's code covers %u of %u functions", covered, ndefs);
    return true;
}

bool wasm_aot_link(const wasm_aot_obj *objs, uint32_t nobjs, const aw_module *m, void **natives,
                   wasm_jit_slots_fn *wrappers, wasm_aot_image *img, char *why, size_t whysize) {
    linker l = {.m = m, .nobjs = nobjs, .why = why, .whysize = whysize};
    l.objs = calloc(nobjs + 1, sizeof *l.objs);
    bool ok = l.objs != NULL;
    if (!ok) fail(&l, "out of memory");
    for (uint32_t k = 0; ok && k < nobjs; k++) {
        l.objs[k].data = objs[k].data;
        l.objs[k].len = objs[k].len;
        ok = parse_obj(&l, &l.objs[k], k);
    }
    ok = ok && layout(&l) && collect_globals(&l) && resolve_symbols(&l) && relocate(&l) &&
         entries(&l, objs, natives, wrappers) && protect(&l);
    for (uint32_t k = 0; l.objs && k < nobjs; k++) {
        obj *o = &l.objs[k];
        free(o->secoff), free(o->secls), free(o->symaddr), free(o->need), free(o->stub), free(o->got);
    }
    free(l.objs);
    free(l.gsyms);
    img->base = l.base;
    img->size = l.total;
    if (!ok) wasm_aot_unmap(img);
    return ok;
}

void wasm_aot_unmap(wasm_aot_image *img) {
    if (img->base) munmap(img->base, img->size);
    img->base = NULL;
}
