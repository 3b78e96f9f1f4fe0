/*
 * fuzz_gguf.c — libFuzzer target for the GGUF reader: parse arbitrary
 * bytes, then touch everything the parser hands out (keys, values, string
 * arrays, tensor data ranges) so out-of-bounds pointers show up under ASan.
 *   make fuzz-gguf && build/fuzz/fuzz_gguf -max_total_time=60 fuzz/corpus_gguf
 */
#include "ai/gguf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile uint8_t sink;

static void touch(const void *p, uint64_t n) {
    const uint8_t *b = p;
    if (n) sink ^= b[0] ^ b[n - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* exact-size heap copy: a read one byte past the end is an ASan error */
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    char err[256];
    ai_gguf *g = ai_gguf_parse(copy, size, "fuzz", err, sizeof err);
    if (g) {
        for (size_t i = 0; i < ai_gguf_kv_count(g); i++) {
            const ai_gguf_kv *kv = ai_gguf_kv_at(g, i);
            touch(kv->key.ptr, kv->key.len);
            if (kv->type == AI_GGUF_STRING) touch(kv->v.s.ptr, kv->v.s.len);
            if (kv->type == AI_GGUF_ARRAY) {
                for (uint64_t j = 0; j < kv->v.arr.n && j < 64; j++) {
                    if (kv->v.arr.type == AI_GGUF_STRING) {
                        ai_gguf_str s = ai_gguf_arr_str(kv, j);
                        touch(s.ptr, s.len);
                    } else {
                        sink ^= (uint8_t)ai_gguf_arr_i64(kv, j);
                        sink ^= (uint8_t)ai_gguf_arr_f64(kv, j);
                    }
                }
            }
        }
        for (size_t i = 0; i < ai_gguf_tensor_count(g); i++) {
            const ai_gguf_tensor *t = ai_gguf_tensor_at(g, i);
            touch(t->name.ptr, t->name.len);
            touch(t->data, t->nbytes);
        }
        uint32_t u;
        float f;
        ai_gguf_get_u32(g, "general.alignment", &u);
        ai_gguf_get_f32(g, "llama.rope.freq_base", &f);
        free(ai_gguf_dup_str(g, "general.architecture"));
        ai_gguf_close(g);
    }
    free(copy);
    return 0;
}
