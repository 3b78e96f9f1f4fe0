/* oci_pack.h — an app directory as the blobs of an OCI artifact, and blobs
 * written back as files. Private to src/app/oci*.c. */
#ifndef AW_APP_OCI_PACK_H
#define AW_APP_OCI_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct oci_blob {
    const char *media_type; /* one of the OCI_*_MEDIA_TYPE constants */
    char *title;            /* path relative to the app directory */
    uint8_t *data;
    size_t len;
    char digest[72];        /* sha256:<hex> */
} oci_blob;

typedef struct oci_pack {
    oci_blob *v;
    size_t n;
    char *name, *version; /* from [application] */
} oci_pack;

/* spin.toml first, then every component's module, then every file some
 * component mounts, each once, in a stable (sorted) order. */
bool oci_pack_dir(const char *dir, oci_pack *p, char *err, size_t errlen);
void oci_pack_free(oci_pack *p);
void oci_digest_of(const void *data, size_t len, char out[72]);
/* A layer title is a relative path without "..", "." or empty segments. */
bool oci_title_safe(const char *title);
/* Writes DIR/TITLE, creating directories. */
bool oci_write_file(const char *dir, const char *title, const void *data, size_t len, char *err, size_t errlen);

#endif
