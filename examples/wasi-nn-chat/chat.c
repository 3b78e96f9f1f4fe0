/* chat.c — the same chat through WASI-NN, written as WasmEdge's GGML
 * examples are (same imports, same call order): load_by_name_with_config,
 * init_execution_context, set_input (prompt as a u8 tensor at index 0),
 * compute, get_output (text at 0, usage JSON at 1).
 *
 * From the command line, as with WasmEdge:
 *   anywhere run --nn-preload default:GGML:AUTO:model.gguf chat.wasm default 'Why is the sky blue?'
 * As an HTTP component (executor = { type = "wagi" }): the prompt is the body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NN(name) __attribute__((import_module("wasi_ephemeral_nn"), import_name(name)))
typedef struct { const uint32_t *dims; uint32_t ndims; uint32_t type; const uint8_t *data; uint32_t len; } tensor;
enum { TENSOR_U8 = 3 }; /* the current numbering (old WasmEdge: 2; Anywhere accepts both) */
NN("load_by_name_with_config") int32_t nn_load_by_name_with_config(const char *name, uint32_t nlen, const char *config,
                                                                   uint32_t clen, uint32_t *graph);
NN("init_execution_context") int32_t nn_init_execution_context(uint32_t graph, uint32_t *ctx);
NN("set_input") int32_t nn_set_input(uint32_t ctx, uint32_t index, const tensor *t);
NN("compute") int32_t nn_compute(uint32_t ctx);
NN("get_output") int32_t nn_get_output(uint32_t ctx, uint32_t index, uint8_t *buf, uint32_t max, uint32_t *written);

static char *read_stdin(void) {
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    size_t k;
    while (s && (k = fread(s + n, 1, cap - n - 1, stdin)) > 0)
        if ((n += k) + 1 == cap) s = realloc(s, cap *= 2);
    if (s) s[n] = 0;
    return s;
}

int main(int argc, char **argv) {
    const char *cgi = getenv("REQUEST_METHOD");
    const char *model = argc > 1 && !cgi ? argv[1] : getenv("MODEL") ? getenv("MODEL") : "default";
    char *prompt = argc > 2 && !cgi ? argv[2] : read_stdin();
    if (!prompt || !*prompt) prompt = "Why is the sky blue?";
    if (cgi) printf("Content-Type: text/plain; charset=utf-8\n\n");
    const char *config = getenv("NN_CONFIG") ? getenv("NN_CONFIG") : "{\"n-predict\":64,\"temp\":0.8}";
    uint32_t graph, ctx, written;
    int32_t e = nn_load_by_name_with_config(model, (uint32_t)strlen(model), config, (uint32_t)strlen(config), &graph);
    if (e) { printf("cannot load model '%s': error %d\n", model, e); return 1; }
    if ((e = nn_init_execution_context(graph, &ctx))) { printf("init_execution_context: error %d\n", e); return 1; }
    static const uint32_t dims[1] = {1};
    tensor t = {dims, 1, TENSOR_U8, (const uint8_t *)prompt, (uint32_t)strlen(prompt)};
    if ((e = nn_set_input(ctx, 0, &t))) { printf("set_input: error %d\n", e); return 1; }
    if ((e = nn_compute(ctx))) { printf("compute: error %d\n", e); return 1; }
    static uint8_t out[1 << 16], usage[256];
    if ((e = nn_get_output(ctx, 0, out, sizeof out - 1, &written))) { printf("get_output: error %d\n", e); return 1; }
    out[written] = 0;
    printf("%s\n", (char *)out);
    if (!nn_get_output(ctx, 1, usage, sizeof usage - 1, &written)) {
        usage[written] = 0;
        fprintf(stderr, "usage: %s\n", (char *)usage);
    }
    return 0;
}
