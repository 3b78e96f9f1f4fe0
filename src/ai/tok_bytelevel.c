/* tok_bytelevel.c — GPT-2's reversible byte -> code point map. Byte-level BPE
 * vocabularies spell every byte as a printable character: bytes that are
 * printable Latin-1 map to themselves, the other 68 to U+0100 onwards in
 * byte order (so space is 'Ġ' U+0120 and newline 'Ċ' U+010A). */
#include "ai/tok_internal.h"

static int self_mapped(unsigned b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

uint32_t ai_bytelevel_cp(unsigned char b) {
    if (self_mapped(b)) return b;
    unsigned n = 0; /* how many non-self-mapped bytes come before b */
    for (unsigned x = 0; x < b; x++) n += !self_mapped(x);
    return 256 + n;
}

int ai_bytelevel_byte(uint32_t cp) {
    if (cp < 256) return self_mapped(cp) ? (int)cp : -1;
    if (cp >= 256 + 68) return -1;
    unsigned n = cp - 256;
    for (unsigned x = 0; x < 256; x++)
        if (!self_mapped(x) && n-- == 0) return (int)x;
    return -1;
}
