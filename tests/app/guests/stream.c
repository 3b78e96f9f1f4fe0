/* stream — test guest: sends its answer in pieces over time with
 * anywhere_flush (the host streams them chunked); ?trap=1 traps after the
 * head is out. */
#include <stdlib.h>
#include <time.h>

#include "anywhere.h"

ANYWHERE_HANDLER void anywhere_handle(void) {
    const char *q = anywhere_query_get("n");
    int n = q ? atoi(q) : 3;
    anywhere_status(201);
    anywhere_header("content-type", "text/plain");
    anywhere_header("x-stream", "yes");
    anywhere_write_str("head\n");
    if (anywhere_flush() != 0) return;
    for (int i = 0; i < n; i++) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        anywhere_printf("part %d\n", i);
        anywhere_flush();
    }
    /* Fixed once the head is out. */
    anywhere_status(500);
    if (anywhere_header("x-late", "1") != 0) anywhere_write_str("late header refused\n");
    if (anywhere_query_get("trap")) abort();
    anywhere_write_str("end\n");
}
