/* nn.c — WASI-NN (wasi_ephemeral_nn): placeholder until the backend lands. */
#include "host/internal.h"

bool host_define_nn(aw_linker *l) { (void)l; return true; }
void host_nn_call_free(host_call *k) { (void)k; }
