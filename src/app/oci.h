/* oci.h — apps as OCI artifacts: push an app directory (spin.toml, its Wasm
 * modules, its mounted files) to a registry over the OCI distribution API,
 * pull it back with every digest verified. The layout is described in
 * docs/kubernetes.md ("The app artifact").
 *
 * Registry auth: HTTP basic and the bearer-token flow announced by
 * WWW-Authenticate. Credentials come from oci_opts, else the environment
 * (ANYWHERE_REGISTRY_USERNAME / ANYWHERE_REGISTRY_PASSWORD), else a Docker
 * config.json ($DOCKER_CONFIG/config.json, ~/.docker/config.json, or
 * $REGISTRY_AUTH_FILE). TLS is always verified; plain HTTP (`insecure`) is
 * refused unless the registry is on loopback. */
#ifndef AW_APP_OCI_H
#define AW_APP_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define OCI_MANIFEST_MEDIA_TYPE "application/vnd.oci.image.manifest.v1+json"
#define OCI_WASM_CONFIG_MEDIA_TYPE "application/vnd.wasm.config.v0+json"
#define OCI_WASM_LAYER_MEDIA_TYPE "application/wasm"
#define OCI_DATA_LAYER_MEDIA_TYPE "application/vnd.wasm.content.layer.v1+data"
#define OCI_APP_MANIFEST_MEDIA_TYPE "application/vnd.anywhere.spin.manifest.v2+toml"

typedef struct oci_ref {
    char registry[256];   /* host[:port] */
    char repository[512]; /* path/name */
    char tag[129];        /* "" when pinned by digest only */
    char digest[72];      /* "sha256:<hex>" or "" */
} oci_ref;

typedef struct oci_opts {
    bool insecure;         /* plain HTTP; only for loopback registries */
    const char *ca_file;   /* PEM bundle to trust (else SSL_CERT_FILE, else the system's) */
    const char *username;  /* NULL: from the environment or a config.json */
    const char *password;
    FILE *log;             /* progress lines, or NULL */
} oci_opts;

/* HOST[:PORT]/REPO[:TAG][@sha256:HEX]. A reference without a registry
 * host means Docker Hub (docker.io). */
bool oci_ref_parse(const char *s, oci_ref *r, char *err, size_t errlen);
/* True when S names a registry explicitly (its first segment has a '.' or
 * a ':' or is "localhost") — how `up --from` tells a reference from a path. */
bool oci_looks_like_ref(const char *s);
bool oci_host_is_loopback(const char *registry);

/* Packs APP_DIR (a directory holding spin.toml) and pushes it as REF.
 * digest_out receives the manifest digest ("sha256:..."). */
bool oci_push_app(const char *app_dir, const char *ref, const oci_opts *o, char digest_out[72], char *err,
                  size_t errlen);
/* Pulls REF into DIR (created if needed), verifying every digest. */
bool oci_pull_app(const char *ref, const char *dir, const oci_opts *o, char digest_out[72], char *err,
                  size_t errlen);
/* Pulls REF into CACHE/sha256-<hex> unless it is there already (a ref
 * pinned by digest found in the cache needs no network). Returns that
 * directory (malloc'd) or NULL with a message. */
char *oci_pull_cached(const char *ref, const char *cache_dir, const oci_opts *o, char *err, size_t errlen);
/* The default cache: $ANYWHERE_CACHE_DIR, else $XDG_CACHE_HOME/anywhere/oci,
 * else ~/.cache/anywhere/oci, else /tmp/anywhere-oci. Static buffer-free:
 * writes into buf. */
const char *oci_default_cache(char *buf, size_t size);

#endif
