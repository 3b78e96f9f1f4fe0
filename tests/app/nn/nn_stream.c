/* nn_stream.c — a WASI-NN test program (a WASI command): the parts of
 * wasi_ephemeral_nn that examples/wasi-nn-chat does not use.
 *   nn_stream.wasm NAME [GGUF]  -> lines "name: result" on stdout
 * load_by_name + old tensor numbering (u8 = 2) + JSON options at input 1,
 * compute_single / get_output_single / fini_single, get_output with a
 * buffer too small (7), unload, an unknown graph (1), and with GGUF (a path
 * under a --dir) load() from bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NN(name) __attribute__((import_module("wasi_ephemeral_nn"), import_name(name)))
typedef struct { const uint32_t *dims; uint32_t ndims; uint32_t type; const void *data; uint32_t len; } tensor;
typedef struct { const void *data; uint32_t len; } builder;
NN("load") int32_t nn_load(const builder *b, uint32_t n, uint32_t encoding, uint32_t target, uint32_t *graph);
NN("load_by_name") int32_t nn_load_by_name(const char *name, uint32_t nlen, uint32_t *graph);
NN("init_execution_context") int32_t nn_init(uint32_t graph, uint32_t *ctx);
NN("set_input") int32_t nn_set_input(uint32_t ctx, uint32_t index, const tensor *t);
NN("compute") int32_t nn_compute(uint32_t ctx);
NN("get_output") int32_t nn_get_output(uint32_t ctx, uint32_t index, uint8_t *buf, uint32_t max, uint32_t *written);
NN("compute_single") int32_t nn_compute_single(uint32_t ctx);
NN("get_output_single") int32_t nn_get_output_single(uint32_t ctx, uint32_t index, uint8_t *buf, uint32_t max, uint32_t *written);
NN("fini_single") int32_t nn_fini_single(uint32_t ctx);
NN("unload") int32_t nn_unload(uint32_t graph);

static const uint32_t dims[1] = {1};

static tensor u8(const char *s, uint32_t type) { return (tensor){dims, 1, type, s, (uint32_t)strlen(s)}; }

int main(int argc, char **argv) {
    const char *name = argc > 1 ? argv[1] : "default";
    uint32_t g, c, w;
    static uint8_t buf[65536];
    printf("load_by_name: %d\n", nn_load_by_name(name, (uint32_t)strlen(name), &g));
    printf("init: %d\n", nn_init(g, &c));
    tensor p = u8("hello", 2), o = u8("{\"n-predict\":5,\"temp\":0}", 2);
    printf("set_input old u8: %d\n", nn_set_input(c, 0, &p));
    printf("set_input options: %d\n", nn_set_input(c, 1, &o));
    tensor bad = u8("x", 1);
    printf("set_input f32: %d\n", nn_set_input(c, 0, &bad));
    int pieces = 0, e;
    while ((e = nn_compute_single(c)) == 0) {
        if (nn_get_output_single(c, 0, buf, sizeof buf, &w) == 0 && w) pieces++;
    }
    printf("compute_single end: %d pieces %d\n", e, pieces);
    if (!nn_get_output_single(c, 1, buf, sizeof buf - 1, &w)) buf[w] = 0, printf("usage single: %s\n", buf);
    printf("fini_single: %d\n", nn_fini_single(c));
    printf("compute: %d\n", nn_compute(c));
    printf("get_output small: %d\n", nn_get_output(c, 0, buf, 0, &w));
    if (!nn_get_output(c, 1, buf, sizeof buf - 1, &w)) buf[w] = 0, printf("usage: %s\n", buf);
    printf("unload: %d\n", nn_unload(g));
    printf("init unloaded: %d\n", nn_init(g, &c));
    if (argc > 2) {
        FILE *f = fopen(argv[2], "rb");
        static uint8_t model[16 << 20];
        size_t n = f ? fread(model, 1, sizeof model, f) : 0;
        builder b = {model, (uint32_t)n};
        printf("load bytes wrong encoding: %d\n", nn_load(&b, 1, 0, 0, &g));
        printf("load bytes: %d\n", e = nn_load(&b, 1, 6, 3, &g));
        tensor q = u8("abc", 3), m = u8("{\"n-predict\":3,\"temp\":0}", 3); /* greedy: exactly 3 */
        if (!e && !nn_init(g, &c) && !nn_set_input(c, 0, &q) && !nn_set_input(c, 1, &m) && !nn_compute(c) &&
            !nn_get_output(c, 1, buf, sizeof buf - 1, &w))
            buf[w] = 0, printf("loaded model usage: %s\n", buf);
    }
    return 0;
}
