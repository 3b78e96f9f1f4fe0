/* http_echo.c [--listen ADDR] — a test server over src/http alone:
 *   /echo          answers "METHOD PATH?QUERY len=N\n" then the body
 *   /stream?n=K    streams K chunks "chunk i\n", 100 ms apart, and notes on
 *                  stderr "stream stopped at i" when the client goes away
 *   /slow          answers after 1.5 s (a blocking handler)
 * It prints "port N" on stdout once listening, and exits on SIGTERM.
 * --inline runs handlers on the loop threads (then /slow stalls its loop). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/http.h"

static http_server *server; /* for the signal handler: the one global a signal needs */

static void on_term(int sig) { (void)sig; http_server_stop(server); }

static int is_path(const http_request *r, const char *p) { return r->path_len == strlen(p) && !memcmp(r->path, p, r->path_len); }

static void handle(const http_request *req, http_response *res, void *ud) {
    (void)ud;
    if (is_path(req, "/echo")) {
        size_t cap = req->body_len + 256;
        char *out = malloc(cap);
        int k = snprintf(out, cap, "%.*s %.*s?%.*s len=%zu\n", (int)req->method_len, req->method, (int)req->path_len, req->path,
                         (int)req->query_len, req->query, req->body_len);
        memcpy(out + k, req->body, req->body_len);
        http_respond(res, 200, "text/plain", out, (size_t)k + req->body_len);
        free(out);
    } else if (is_path(req, "/stream")) {
        int n = req->query_len > 2 && !memcmp(req->query, "n=", 2) ? atoi(req->query + 2) : 5;
        http_stream_start(res, 200, "application/x-ndjson");
        for (int i = 0; i < n; i++) {
            char line[32];
            int k = snprintf(line, sizeof line, "chunk %d\n", i);
            if (http_stream_write(res, line, (size_t)k) < 0 || http_client_gone(res)) {
                fprintf(stderr, "stream stopped at %d\n", i);
                return;
            }
            usleep(100000);
        }
        http_stream_end(res);
    } else if (is_path(req, "/slow")) {
        usleep(1500000);
        http_respond(res, 200, "text/plain", "slow\n", 5);
    } else {
        http_respond(res, 404, "text/plain", "not found\n", 10);
    }
}

int main(int argc, char **argv) {
    const char *listen = "127.0.0.1:0";
    int inline_handlers = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--listen") && i + 1 < argc) listen = argv[++i];
        else if (!strcmp(argv[i], "--inline")) inline_handlers = 1;
    }
    char err[256];
    http_server_config cfg = {.listen = listen, .handler = handle, .max_header_bytes = 8192,
                              .max_body_bytes = 1 << 20, .header_timeout_ms = 1500,
                              .inline_handlers = inline_handlers};
    server = http_server_new(&cfg, err, sizeof err);
    if (!server) { fprintf(stderr, "http_echo: %s\n", err); return 1; }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    printf("port %d\n", http_server_port(server));
    fflush(stdout);
    http_server_run(server);
    http_server_free(server);
    return 0;
}
