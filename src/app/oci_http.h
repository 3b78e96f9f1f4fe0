/* oci_http.h — the small HTTP/1.1 client the registry code needs: one
 * request per connection (Connection: close), TLS through OpenSSL with the
 * peer's certificate and host name verified, Content-Length and chunked
 * bodies. Private to src/app/oci*.c. */
#ifndef AW_APP_OCI_HTTP_H
#define AW_APP_OCI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct oci_http_conf {
    const char *ca_file;  /* PEM bundle to trust; NULL: SSL_CERT_FILE or the system's */
    int timeout_s;        /* per socket operation; 0 = 60 */
    size_t max_body;      /* responses larger than this fail; 0 = 1 GiB */
} oci_http_conf;

typedef struct oci_http_resp {
    int status;
    char *headers;   /* the raw header block, NUL-terminated */
    uint8_t *body;   /* NUL-terminated for convenience; len excludes it */
    size_t len;
} oci_http_resp;

/* METHOD URL (http:// or https://) with extra header lines ("Name: value",
 * NULL-terminated list) and an optional body. Returns false only when no
 * HTTP response came back (message in err); any status is a success here. */
bool oci_http_do(const oci_http_conf *c, const char *method, const char *url, const char *const *headers,
                 const void *body, size_t blen, oci_http_resp *out, char *err, size_t errlen);
void oci_http_resp_free(oci_http_resp *r);
/* Copies the value of header NAME (case-insensitive) into buf; false if absent. */
bool oci_http_header(const oci_http_resp *r, const char *name, char *buf, size_t size);

/* Splits URL into scheme ("http"/"https"), host (no brackets), port and the
 * path with its query ("/" when empty). */
bool oci_url_split(const char *url, char *scheme, size_t ss, char *host, size_t hs, int *port, char *path,
                   size_t ps);

#endif
