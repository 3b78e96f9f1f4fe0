/* oci.c — the OCI distribution API for app artifacts (see oci.h): refs,
 * credentials, the 401 → basic or bearer-token dance, blob uploads (POST
 * then monolithic PUT), manifests, and verified pulls. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/dl_openssl.h"
#include "app/oci.h"
#include "app/oci_http.h"
#include "app/oci_pack.h"
#include "json/json.h"

/* snprintf that reports whether it fit (and keeps gcc's truncation
 * analysis out of paths that are bounded by the protocol anyway). */
static bool fmt(char *b, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static bool fmt(char *b, size_t n, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int k = vsnprintf(b, n, f, ap);
    va_end(ap);
    return k >= 0 && (size_t)k < n;
}

/* ---- references ---- */

static bool first_segment_is_host(const char *s) {
    size_t n = strcspn(s, "/");
    if (!s[n]) return false;
    return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !strncmp(s, "localhost", 9));
}

bool oci_looks_like_ref(const char *s) { return s && first_segment_is_host(s) && !strchr(s, ' '); }

bool oci_ref_parse(const char *s, oci_ref *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    const char *rest = s;
    if (first_segment_is_host(s)) {
        size_t n = strcspn(s, "/");
        if (n >= sizeof r->registry) goto bad;
        memcpy(r->registry, s, n);
        rest = s + n + 1;
    } else {
        strcpy(r->registry, "registry-1.docker.io");
    }
    const char *at = strchr(rest, '@');
    size_t pathlen = at ? (size_t)(at - rest) : strlen(rest);
    if (at) {
        if (strncmp(at + 1, "sha256:", 7) || strlen(at + 8) != 64 || strspn(at + 8, "0123456789abcdef") != 64) {
            snprintf(err, errlen, "'%s': the digest must be sha256: followed by 64 lowercase hex digits", s);
            return false;
        }
        snprintf(r->digest, sizeof r->digest, "%s", at + 1);
    }
    const char *slash = memrchr(rest, '/', pathlen), *colon = memchr(slash ? slash : rest, ':', pathlen - (size_t)((slash ? slash : rest) - rest));
    size_t repolen = colon ? (size_t)(colon - rest) : pathlen;
    if (colon) {
        size_t tl = pathlen - repolen - 1;
        if (tl == 0 || tl >= sizeof r->tag) goto bad;
        memcpy(r->tag, colon + 1, tl);
        for (size_t i = 0; i < tl; i++)
            if (!isalnum((unsigned char)r->tag[i]) && !strchr("._-", r->tag[i])) goto bad;
    } else if (!at) {
        strcpy(r->tag, "latest");
    }
    if (repolen == 0 || repolen + 10 >= sizeof r->repository) goto bad;
    if (!strcmp(r->registry, "registry-1.docker.io") && !memchr(rest, '/', repolen))
        snprintf(r->repository, sizeof r->repository, "library/%.*s", (int)repolen, rest);
    else
        memcpy(r->repository, rest, repolen);
    for (const char *p = r->repository; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("._-/", *p))) goto bad;
    return true;
bad:
    snprintf(err, errlen, "'%s' is not a valid reference (expected HOST[:PORT]/NAME[:TAG][@sha256:HEX], "
             "lowercase name)", s);
    return false;
}

bool oci_host_is_loopback(const char *registry) {
    char host[256];
    snprintf(host, sizeof host, "%s", registry);
    if (host[0] == '[') {
        char *e = strchr(host, ']');
        if (e) *e = 0;
        memmove(host, host + 1, strlen(host));
    } else {
        char *c = strrchr(host, ':');
        if (c && strchr(host, ':') == c) *c = 0;
    }
    if (!strcasecmp(host, "localhost")) return true;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

const char *oci_default_cache(char *buf, size_t size) {
    const char *e = getenv("ANYWHERE_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (e && *e) snprintf(buf, size, "%s", e);
    else if (x && *x) snprintf(buf, size, "%s/anywhere/oci", x);
    else if (h && *h && strcmp(h, "/")) snprintf(buf, size, "%s/.cache/anywhere/oci", h);
    else snprintf(buf, size, "/tmp/anywhere-oci");
    return buf;
}

/* ---- a session with one registry ---- */

typedef struct reg {
    oci_ref ref;
    const oci_opts *o;
    oci_http_conf http;
    char base[300];      /* scheme://host[:port] */
    char user[256], pass[512];
    bool have_creds;
    char authz[4096];    /* "Authorization: ..." or "" */
    const char *actions; /* "pull" or "pull,push" */
} reg;

static void b64(const char *in, size_t n, char *out, size_t size) {
    if ((n + 2) / 3 * 4 + 1 > size) { out[0] = 0; return; }
    aw_crypto.EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in, (int)n);
}

static bool unb64(const char *in, char *out, size_t size) {
    size_t n = strlen(in);
    if (n % 4 || n / 4 * 3 + 1 > size) return false;
    int k = aw_crypto.EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in, (int)n);
    if (k < 0) return false;
    while (n && in[n - 1] == '=') k--, n--;
    out[k] = 0;
    return true;
}

/* Docker/podman config files: {"auths": {"HOST": {"auth": base64(user:pass)}}}. */
static bool creds_from_file(reg *r, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    cJSON *j = cJSON_Parse(buf);
    const cJSON *auths = cJSON_GetObjectItemCaseSensitive(j, "auths"), *e;
    bool found = false;
    cJSON_ArrayForEach(e, auths) {
        const char *k = e->string, *h = k;
        if (!strncmp(h, "https://", 8)) h += 8;
        else if (!strncmp(h, "http://", 7)) h += 7;
        size_t hl = strcspn(h, "/");
        bool hub = !strcmp(r->ref.registry, "registry-1.docker.io") && hl == 9 && !strncmp(h, "docker.io", 9);
        if (!hub && (hl != strlen(r->ref.registry) || strncmp(h, r->ref.registry, hl))) continue;
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "auth");
        char dec[1024];
        char *colon;
        if (cJSON_IsString(a) && unb64(a->valuestring, dec, sizeof dec) && (colon = strchr(dec, ':'))) {
            *colon = 0;
            fmt(r->user, sizeof r->user, "%s", dec);
            snprintf(r->pass, sizeof r->pass, "%s", colon + 1);
            found = true;
            break;
        }
    }
    cJSON_Delete(j);
    return found;
}

static void load_creds(reg *r) {
    const char *u = r->o->username ? r->o->username : getenv("ANYWHERE_REGISTRY_USERNAME");
    const char *p = r->o->password ? r->o->password : getenv("ANYWHERE_REGISTRY_PASSWORD");
    if (u && p) {
        snprintf(r->user, sizeof r->user, "%s", u);
        snprintf(r->pass, sizeof r->pass, "%s", p);
        r->have_creds = true;
        return;
    }
    char path[PATH_MAX];
    const char *d = getenv("DOCKER_CONFIG"), *h = getenv("HOME"), *a = getenv("REGISTRY_AUTH_FILE");
    if (a && creds_from_file(r, a)) r->have_creds = true;
    else if (d && (snprintf(path, sizeof path, "%s/config.json", d), creds_from_file(r, path))) r->have_creds = true;
    else if (h && (snprintf(path, sizeof path, "%s/.docker/config.json", h), creds_from_file(r, path))) r->have_creds = true;
}

static bool reg_open(reg *r, const char *refstr, const oci_opts *o, const char *actions, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->o = o;
    r->actions = actions;
    r->http.ca_file = o->ca_file;
    /* Digests and base64 (credentials) below use libcrypto's tables. */
    if (!aw_crypto_load(err, errlen)) return false;
    if (!oci_ref_parse(refstr, &r->ref, err, errlen)) return false;
    if (o->insecure && !oci_host_is_loopback(r->ref.registry)) {
        snprintf(err, errlen, "--insecure (plain HTTP) is only allowed for a registry on loopback, not %s",
                 r->ref.registry);
        return false;
    }
    snprintf(r->base, sizeof r->base, "%s://%s", o->insecure ? "http" : "https", r->ref.registry);
    load_creds(r);
    return true;
}

/* Value of parameter KEY in a WWW-Authenticate challenge (quoted or not). */
static bool challenge_param(const char *ch, const char *key, char *out, size_t size) {
    size_t kl = strlen(key);
    for (const char *p = ch; (p = strcasestr(p, key)); p += kl) {
        if (p != ch && p[-1] != ' ' && p[-1] != ',') continue;
        const char *v = p + kl;
        while (*v == ' ') v++;
        if (*v != '=') continue;
        v++;
        while (*v == ' ') v++;
        size_t n;
        if (*v == '"') {
            v++;
            n = strcspn(v, "\"");
        } else {
            n = strcspn(v, ", ");
        }
        if (n >= size) return false;
        memcpy(out, v, n);
        out[n] = 0;
        return true;
    }
    return false;
}

static void urlencode(const char *in, char *out, size_t size) {
    size_t w = 0;
    for (; *in && w + 4 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if (isalnum(c) || strchr("-._~", c)) out[w++] = (char)c;
        else w += (size_t)snprintf(out + w, size - w, "%%%02X", c);
    }
    out[w] = 0;
}

static void basic_header(reg *r, char *out, size_t size) {
    char up[800], enc[1100];
    int n = snprintf(up, sizeof up, "%s:%s", r->user, r->pass);
    b64(up, (size_t)n, enc, sizeof enc);
    snprintf(out, size, "Authorization: Basic %s", enc);
}

static const char no_creds_hint[] = "set ANYWHERE_REGISTRY_USERNAME and ANYWHERE_REGISTRY_PASSWORD "
                                    "(or --username/--password-stdin, or log in with docker/podman)";

/* Answers a 401's challenge: basic credentials, or a token from the realm. */
static bool authenticate(reg *r, const oci_http_resp *resp, char *err, size_t errlen) {
    char ch[2048];
    if (!oci_http_header(resp, "WWW-Authenticate", ch, sizeof ch)) {
        snprintf(err, errlen, "registry %s: 401 Unauthorized without a WWW-Authenticate challenge", r->ref.registry);
        return false;
    }
    if (!strncasecmp(ch, "Basic", 5)) {
        if (!r->have_creds) {
            snprintf(err, errlen, "registry %s requires a login: %s", r->ref.registry, no_creds_hint);
            return false;
        }
        basic_header(r, r->authz, sizeof r->authz);
        return true;
    }
    if (strncasecmp(ch, "Bearer", 6)) {
        snprintf(err, errlen, "registry %s: unsupported authentication scheme in '%s'", r->ref.registry, ch);
        return false;
    }
    char realm[1024], service[256] = "", scope[700], url[3000], es[600], esc[1500];
    if (!challenge_param(ch, "realm", realm, sizeof realm)) {
        snprintf(err, errlen, "registry %s: bearer challenge without a realm: '%s'", r->ref.registry, ch);
        return false;
    }
    char scheme[8], host[256], path[1024];
    int port;
    if (!oci_url_split(realm, scheme, sizeof scheme, host, sizeof host, &port, path, sizeof path) ||
        (!strcmp(scheme, "http") && !oci_host_is_loopback(host))) {
        snprintf(err, errlen, "registry %s: token realm '%s' must be an https URL (http only on loopback)",
                 r->ref.registry, realm);
        return false;
    }
    challenge_param(ch, "service", service, sizeof service);
    if (!challenge_param(ch, "scope", scope, sizeof scope))
        snprintf(scope, sizeof scope, "repository:%s:%s", r->ref.repository, r->actions);
    urlencode(service, es, sizeof es);
    urlencode(scope, esc, sizeof esc);
    fmt(url, sizeof url, "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es, esc);
    char basic[1200] = "";
    const char *hdrs[2] = {NULL, NULL};
    if (r->have_creds) basic_header(r, basic, sizeof basic), hdrs[0] = basic;
    oci_http_resp tr;
    if (!oci_http_do(&r->http, "GET", url, hdrs, NULL, 0, &tr, err, errlen)) return false;
    bool ok = false;
    if (tr.status == 200) {
        cJSON *j = cJSON_Parse((const char *)tr.body);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");
        if (!cJSON_IsString(t)) t = cJSON_GetObjectItemCaseSensitive(j, "access_token");
        if (cJSON_IsString(t) && strlen(t->valuestring) + 32 < sizeof r->authz) {
            snprintf(r->authz, sizeof r->authz, "Authorization: Bearer %s", t->valuestring);
            ok = true;
        } else {
            snprintf(err, errlen, "token server %s: no token in its answer", realm);
        }
        cJSON_Delete(j);
    } else if (tr.status == 401 || tr.status == 403) {
        snprintf(err, errlen, "registry %s: %s (token server answered %d)", r->ref.registry,
                 r->have_creds ? "authentication failed: wrong username or password" : "login required", tr.status);
        if (!r->have_creds) snprintf(err + strlen(err), errlen - strlen(err), ": %s", no_creds_hint);
    } else {
        snprintf(err, errlen, "token server %s answered %d", realm, tr.status);
    }
    oci_http_resp_free(&tr);
    return ok;
}

/* One request with the session's authorization; a 401 is answered once. */
static bool reg_do(reg *r, const char *method, const char *url, const char *h1, const char *h2, const void *body,
                   size_t blen, oci_http_resp *resp, char *err, size_t errlen) {
    for (int attempt = 0;; attempt++) {
        const char *hdrs[4] = {0};
        int k = 0;
        if (h1) hdrs[k++] = h1;
        if (h2) hdrs[k++] = h2;
        if (r->authz[0]) hdrs[k++] = r->authz;
        if (!oci_http_do(&r->http, method, url, hdrs, body, blen, resp, err, errlen)) return false;
        if (resp->status != 401 || attempt == 1) break;
        bool had = r->authz[0] != 0;
        if (!authenticate(r, resp, err, errlen)) {
            oci_http_resp_free(resp);
            return false;
        }
        if (had && !strncmp(r->authz, "Authorization: Basic", 20)) break;
        oci_http_resp_free(resp);
    }
    if (resp->status == 401) {
        snprintf(err, errlen, "registry %s: authentication failed: %s", r->ref.registry,
                 r->have_creds ? "wrong username or password" : no_creds_hint);
        oci_http_resp_free(resp);
        return false;
    }
    return true;
}

/* "registry HOST: WHAT: STATUS CODE: message" from the registry's errors JSON. */
static bool status_error(reg *r, const char *what, oci_http_resp *resp, char *err, size_t errlen) {
    cJSON *j = cJSON_Parse(resp->body ? (const char *)resp->body : "");
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "errors"), 0);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code"), *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
    const char *hint = resp->status == 403 ? " (access denied)"
                       : resp->status == 400 && resp->body && strstr((const char *)resp->body, "HTTPS server")
                           ? " (the registry speaks HTTPS: drop --insecure)"
                           : "";
    snprintf(err, errlen, "registry %s: %s: HTTP %d%s%s%s%s%s", r->ref.registry, what, resp->status, hint, cJSON_IsString(code) ? " " : "",
             cJSON_IsString(code) ? code->valuestring : "", cJSON_IsString(msg) ? ": " : "",
             cJSON_IsString(msg) ? msg->valuestring : "");
    cJSON_Delete(j);
    oci_http_resp_free(resp);
    return false;
}

/* ---- push ---- */

static bool push_blob(reg *r, const char *media, const void *data, size_t len, const char *digest, char *err,
                      size_t errlen) {
    char url[2048], loc[2048];
    oci_http_resp resp;
    snprintf(url, sizeof url, "%s/v2/%s/blobs/%s", r->base, r->ref.repository, digest);
    if (!reg_do(r, "HEAD", url, NULL, NULL, NULL, 0, &resp, err, errlen)) return false;
    int st = resp.status;
    oci_http_resp_free(&resp);
    if (st == 200) return true; /* already there */
    snprintf(url, sizeof url, "%s/v2/%s/blobs/uploads/", r->base, r->ref.repository);
    if (!reg_do(r, "POST", url, NULL, NULL, NULL, 0, &resp, err, errlen)) return false;
    if (resp.status != 202 || !oci_http_header(&resp, "Location", loc, sizeof loc))
        return status_error(r, "starting a blob upload", &resp, err, errlen);
    oci_http_resp_free(&resp);
    if (loc[0] == '/') fmt(url, sizeof url, "%s%s", r->base, loc);
    else snprintf(url, sizeof url, "%s", loc);
    snprintf(url + strlen(url), sizeof url - strlen(url), "%sdigest=%s", strchr(url, '?') ? "&" : "?", digest);
    char ct[200];
    snprintf(ct, sizeof ct, "Content-Type: application/octet-stream");
    (void)media;
    if (!reg_do(r, "PUT", url, ct, NULL, data, len, &resp, err, errlen)) return false;
    if (resp.status != 201) return status_error(r, "uploading a blob", &resp, err, errlen);
    oci_http_resp_free(&resp);
    return true;
}

static char *config_json(const oci_pack *p) {
    cJSON *c = cJSON_CreateObject(), *ld = cJSON_CreateArray();
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    cJSON_AddStringToObject(c, "created", when);
    cJSON_AddStringToObject(c, "architecture", "wasm");
    cJSON_AddStringToObject(c, "os", "wasip1");
    for (size_t i = 0; i < p->n; i++) cJSON_AddItemToArray(ld, cJSON_CreateString(p->v[i].digest));
    cJSON_AddItemToObject(c, "layerDigests", ld);
    char *s = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return s;
}

static cJSON *descriptor(const char *media, const char *digest, size_t len, const char *title) {
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "mediaType", media);
    cJSON_AddStringToObject(d, "digest", digest);
    cJSON_AddNumberToObject(d, "size", (double)len);
    if (title) {
        cJSON *a = cJSON_AddObjectToObject(d, "annotations");
        cJSON_AddStringToObject(a, "org.opencontainers.image.title", title);
    }
    return d;
}

bool oci_push_app(const char *app_dir, const char *refstr, const oci_opts *o, char digest_out[72], char *err,
                  size_t errlen) {
    reg r;
    oci_pack p;
    if (!reg_open(&r, refstr, o, "pull,push", err, errlen)) return false;
    if (!r.ref.tag[0]) {
        snprintf(err, errlen, "'%s': push needs a tag, not only a digest", refstr);
        return false;
    }
    if (!oci_pack_dir(app_dir, &p, err, errlen)) return false;
    bool ok = true;
    char *config = config_json(&p), cdigest[72], *manifest = NULL;
    oci_digest_of(config, strlen(config), cdigest);
    for (size_t i = 0; ok && i < p.n; i++) {
        if (o->log) fprintf(o->log, "  %-48s %-44s %zu bytes\n", p.v[i].title, p.v[i].media_type, p.v[i].len);
        ok = push_blob(&r, p.v[i].media_type, p.v[i].data, p.v[i].len, p.v[i].digest, err, errlen);
    }
    if (ok) ok = push_blob(&r, OCI_WASM_CONFIG_MEDIA_TYPE, config, strlen(config), cdigest, err, errlen);
    if (ok) {
        cJSON *m = cJSON_CreateObject(), *layers = cJSON_CreateArray();
        cJSON_AddNumberToObject(m, "schemaVersion", 2);
        cJSON_AddStringToObject(m, "mediaType", OCI_MANIFEST_MEDIA_TYPE);
        cJSON_AddItemToObject(m, "config", descriptor(OCI_WASM_CONFIG_MEDIA_TYPE, cdigest, strlen(config), NULL));
        for (size_t i = 0; i < p.n; i++)
            cJSON_AddItemToArray(layers, descriptor(p.v[i].media_type, p.v[i].digest, p.v[i].len, p.v[i].title));
        cJSON_AddItemToObject(m, "layers", layers);
        cJSON *ann = cJSON_AddObjectToObject(m, "annotations");
        cJSON_AddStringToObject(ann, "org.opencontainers.image.title", p.name);
        if (p.version) cJSON_AddStringToObject(ann, "org.opencontainers.image.version", p.version);
        manifest = cJSON_PrintUnformatted(m);
        cJSON_Delete(m);
        oci_digest_of(manifest, strlen(manifest), digest_out);
        char url[2048];
        oci_http_resp resp;
        snprintf(url, sizeof url, "%s/v2/%s/manifests/%s", r.base, r.ref.repository, r.ref.tag);
        ok = reg_do(&r, "PUT", url, "Content-Type: " OCI_MANIFEST_MEDIA_TYPE, NULL, manifest, strlen(manifest), &resp,
                    err, errlen);
        if (ok && resp.status != 201) ok = status_error(&r, "storing the manifest", &resp, err, errlen);
        else if (ok) oci_http_resp_free(&resp);
    }
    free(config), free(manifest);
    oci_pack_free(&p);
    return ok;
}

/* ---- pull ---- */

/* GET a blob, following redirects (to storage that must not see our
 * credentials), and check its size and digest. */
static bool get_blob(reg *r, const cJSON *desc, const char *what, oci_http_resp *out, char *err, size_t errlen) {
    const cJSON *dg = cJSON_GetObjectItemCaseSensitive(desc, "digest"), *sz = cJSON_GetObjectItemCaseSensitive(desc, "size");
    if (!cJSON_IsString(dg) || strncmp(dg->valuestring, "sha256:", 7) || strlen(dg->valuestring) != 71 ||
        !cJSON_IsNumber(sz) || sz->valuedouble < 0) {
        snprintf(err, errlen, "%s: descriptor without a sha256 digest and size", what);
        return false;
    }
    char url[4096], got[72];
    snprintf(url, sizeof url, "%s/v2/%s/blobs/%s", r->base, r->ref.repository, dg->valuestring);
    if (!reg_do(r, "GET", url, NULL, NULL, NULL, 0, out, err, errlen)) return false;
    for (int hops = 0; out->status >= 301 && out->status <= 308 && hops < 5; hops++) {
        char loc[4096];
        if (!oci_http_header(out, "Location", loc, sizeof loc)) break;
        oci_http_resp_free(out);
        if (loc[0] == '/') fmt(url, sizeof url, "%s%s", r->base, loc);
        else snprintf(url, sizeof url, "%s", loc);
        if (!oci_http_do(&r->http, "GET", url, NULL, NULL, 0, out, err, errlen)) return false;
    }
    if (out->status != 200) {
        char w[600];
        snprintf(w, sizeof w, "fetching %s (%s)", what, dg->valuestring);
        return status_error(r, w, out, err, errlen);
    }
    oci_digest_of(out->body, out->len, got);
    if (strcmp(got, dg->valuestring) || (double)out->len != sz->valuedouble) {
        snprintf(err, errlen, "%s: digest mismatch: the manifest says %s (%.0f bytes), the registry sent %s (%zu bytes); "
                 "the artifact was tampered with or corrupted", what, dg->valuestring, sz->valuedouble, got, out->len);
        oci_http_resp_free(out);
        return false;
    }
    return true;
}

static bool fetch_manifest(reg *r, oci_http_resp *resp, char digest[72], char *err, size_t errlen) {
    char url[2048], hdr[72];
    snprintf(url, sizeof url, "%s/v2/%s/manifests/%s", r->base, r->ref.repository,
             r->ref.digest[0] ? r->ref.digest : r->ref.tag);
    if (!reg_do(r, "GET", url,
                "Accept: " OCI_MANIFEST_MEDIA_TYPE ", application/vnd.oci.image.index.v1+json, "
                "application/vnd.docker.distribution.manifest.v2+json",
                NULL, NULL, 0, resp, err, errlen))
        return false;
    if (resp->status == 404) {
        snprintf(err, errlen, "%s/%s:%s not found in the registry", r->ref.registry, r->ref.repository,
                 r->ref.digest[0] ? r->ref.digest : r->ref.tag);
        oci_http_resp_free(resp);
        return false;
    }
    if (resp->status != 200) return status_error(r, "fetching the manifest", resp, err, errlen);
    oci_digest_of(resp->body, resp->len, digest);
    const char *want = r->ref.digest[0] ? r->ref.digest : (oci_http_header(resp, "Docker-Content-Digest", hdr, sizeof hdr) ? hdr : NULL);
    if (want && strcmp(want, digest)) {
        snprintf(err, errlen, "manifest digest mismatch: expected %s, the registry sent %s; "
                 "the artifact was tampered with or corrupted", want, digest);
        oci_http_resp_free(resp);
        return false;
    }
    return true;
}

static bool pull_into(reg *r, const oci_http_resp *mresp, const char *dir, char *err, size_t errlen) {
    cJSON *m = cJSON_Parse((const char *)mresp->body);
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(m, "config"), *layers = cJSON_GetObjectItemCaseSensitive(m, "layers");
    const cJSON *cmt = cJSON_GetObjectItemCaseSensitive(cfg, "mediaType"), *l;
    bool ok = false, have_manifest = false;
    if (!cJSON_IsObject(cfg) || !cJSON_IsArray(layers)) {
        const cJSON *mt = cJSON_GetObjectItemCaseSensitive(m, "mediaType");
        snprintf(err, errlen, "%s/%s is not an app artifact (%s)", r->ref.registry, r->ref.repository,
                 cJSON_IsString(mt) && strstr(mt->valuestring, "index") ? "it is an image index" : "no config and layers");
        goto done;
    }
    if (!cJSON_IsString(cmt) || strcmp(cmt->valuestring, OCI_WASM_CONFIG_MEDIA_TYPE)) {
        snprintf(err, errlen, "%s/%s is not a Wasm app artifact: config media type '%s', expected '%s'",
                 r->ref.registry, r->ref.repository, cJSON_IsString(cmt) ? cmt->valuestring : "?",
                 OCI_WASM_CONFIG_MEDIA_TYPE);
        goto done;
    }
    oci_http_resp b;
    if (!get_blob(r, cfg, "the config", &b, err, errlen)) goto done;
    oci_http_resp_free(&b);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        goto done;
    }
    cJSON_ArrayForEach(l, layers) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(l, "annotations"),
                                                           "org.opencontainers.image.title");
        const cJSON *mt = cJSON_GetObjectItemCaseSensitive(l, "mediaType");
        if (!cJSON_IsString(t) || !oci_title_safe(t->valuestring)) {
            snprintf(err, errlen, "layer without a safe relative title (%s)", cJSON_IsString(t) ? t->valuestring : "none");
            goto done;
        }
        bool is_manifest = cJSON_IsString(mt) && !strcmp(mt->valuestring, OCI_APP_MANIFEST_MEDIA_TYPE);
        if (is_manifest && strcmp(t->valuestring, "spin.toml")) {
            snprintf(err, errlen, "the manifest layer must be titled spin.toml, not '%s'", t->valuestring);
            goto done;
        }
        have_manifest |= is_manifest;
        char what[1100];
        snprintf(what, sizeof what, "layer '%s'", t->valuestring);
        if (!get_blob(r, l, what, &b, err, errlen)) goto done;
        bool w = oci_write_file(dir, t->valuestring, b.body, b.len, err, errlen);
        if (w && r->o->log) fprintf(r->o->log, "  %-48s %zu bytes, verified\n", t->valuestring, b.len);
        oci_http_resp_free(&b);
        if (!w) goto done;
    }
    if (!have_manifest) {
        snprintf(err, errlen, "the artifact has no spin.toml layer (%s)", OCI_APP_MANIFEST_MEDIA_TYPE);
        goto done;
    }
    ok = true;
done:
    cJSON_Delete(m);
    return ok;
}

bool oci_pull_app(const char *refstr, const char *dir, const oci_opts *o, char digest_out[72], char *err,
                  size_t errlen) {
    reg r;
    oci_http_resp m;
    if (!reg_open(&r, refstr, o, "pull", err, errlen)) return false;
    if (!fetch_manifest(&r, &m, digest_out, err, errlen)) return false;
    bool ok = pull_into(&r, &m, dir, err, errlen);
    oci_http_resp_free(&m);
    return ok;
}

static bool rm_tree(const char *path) {
    /* Only our own temporary directory. */
    struct stat st;
    if (lstat(path, &st) != 0) return true;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[PATH_MAX];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (d) closedir(d);
        return rmdir(path) == 0;
    }
    return unlink(path) == 0;
}

char *oci_pull_cached(const char *refstr, const char *cache, const oci_opts *o, char *err, size_t errlen) {
    reg r;
    char dir[PATH_MAX], digest[72];
    if (!reg_open(&r, refstr, o, "pull", err, errlen)) return NULL;
    snprintf(dir, sizeof dir, "%s", cache); /* mkdir -p CACHE */
    for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(dir, 0755);
        *s = '/';
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cache directory %s: %s", cache, strerror(errno));
        return NULL;
    }
    if (r.ref.digest[0]) {
        fmt(dir, sizeof dir, "%s/sha256-%s", cache, r.ref.digest + 7);
        if (access(dir, F_OK) == 0) {
            if (o->log) fprintf(o->log, "%s: cached in %s\n", refstr, dir);
            return strdup(dir);
        }
    }
    oci_http_resp m;
    if (!fetch_manifest(&r, &m, digest, err, errlen)) return NULL;
    fmt(dir, sizeof dir, "%s/sha256-%s", cache, digest + 7);
    if (access(dir, F_OK) == 0) {
        oci_http_resp_free(&m);
        if (o->log) fprintf(o->log, "%s: %s, cached in %s\n", refstr, digest, dir);
        return strdup(dir);
    }
    char tmp[PATH_MAX + 32];
    fmt(tmp, sizeof tmp, "%s/.pull-%ld-%s", cache, (long)getpid(), digest + 7);
    rm_tree(tmp);
    if (o->log) fprintf(o->log, "%s: pulling %s\n", refstr, digest);
    bool ok = pull_into(&r, &m, tmp, err, errlen);
    oci_http_resp_free(&m);
    /* Rename makes the cache entry appear complete or not at all. */
    if (ok && rename(tmp, dir) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        ok = false;
    }
    rm_tree(tmp);
    return ok ? strdup(dir) : NULL;
}
