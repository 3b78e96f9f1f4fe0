/* allow.c — allowed_outbound_hosts as Spin defines it.
 *
 * An entry is "SCHEME://HOST[:PORT]":
 *   SCHEME  a scheme ("http", "https", ...) or "*" for any;
 *   HOST    a name or IP literal, "*" for any host, "*.example.com" for any
 *           subdomain (not example.com itself), or "self" (requests with a
 *           relative URL, sent to this app's own address);
 *   PORT    a number, a range "8000..8010" (end exclusive, as in Rust's
 *           ranges), or "*"; without one, the scheme's default port (80
 *           for http, 443 for https; a scheme without a default needs one).
 * No path, query or user info may follow. Matching is case-insensitive on
 * scheme and host. Anything not matched is refused. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host/internal.h"

static int default_port(const char *scheme) {
    if (!strcasecmp(scheme, "http")) return 80;
    if (!strcasecmp(scheme, "https")) return 443;
    return -2;
}

static bool parse_port(const char *s, host_allow_rule *r) {
    if (!strcmp(s, "*")) { r->port_lo = r->port_hi = -1; return true; }
    char *end;
    long lo = strtol(s, &end, 10), hi = lo + 1;
    if (end == s) return false;
    if (!strncmp(end, "..", 2)) {
        const char *h = end + 2;
        hi = strtol(h, &end, 10);
        if (end == h) return false;
    }
    if (*end || lo < 1 || lo > 65535 || hi <= lo || hi > 65536) return false;
    r->port_lo = (int)lo, r->port_hi = (int)hi - 1;
    return true;
}

bool host_allow_parse(const char *entry, host_allow_rule *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    const char *sep = strstr(entry, "://");
    if (!strcmp(entry, "self")) sep = NULL, strcpy(r->scheme, "*"), strcpy(r->host, "self");
    else if (!sep) { snprintf(err, errlen, "'%s' needs a scheme (\"https://%s\", or \"*://%s\" for any)", entry, entry, entry); return false; }
    if (sep) {
        size_t sl = (size_t)(sep - entry);
        if (!sl || sl >= sizeof r->scheme) { snprintf(err, errlen, "'%s': bad scheme", entry); return false; }
        memcpy(r->scheme, entry, sl);
        for (size_t i = 0; i < sl; i++)
            if (!isalnum((unsigned char)r->scheme[i]) && !strchr("+-.*", r->scheme[i])) {
                snprintf(err, errlen, "'%s': bad scheme", entry);
                return false;
            }
        const char *h = sep + 3;
        if (strpbrk(h, "/?#@")) {
            bool only_slash = h[strcspn(h, "/?#@")] == '/' && !h[strcspn(h, "/?#@") + 1];
            if (!only_slash) { snprintf(err, errlen, "'%s' must not have a path, query or user info", entry); return false; }
        }
        size_t hl = strcspn(h, "/");
        char hp[300];
        snprintf(hp, sizeof hp, "%.*s", (int)hl, h);
        char *colon = hp[0] == '[' ? strstr(hp, "]:") : strrchr(hp, ':');
        if (colon && hp[0] == '[') colon++;
        if (colon) *colon = 0;
        if (!hp[0] || strlen(hp) >= sizeof r->host) { snprintf(err, errlen, "'%s': no host", entry); return false; }
        snprintf(r->host, sizeof r->host, "%s", hp);
        if (strchr(r->host, '*') && strcmp(r->host, "*") && (strncmp(r->host, "*.", 2) || strchr(r->host + 1, '*'))) {
            snprintf(err, errlen, "'%s': a host wildcard is \"*\" or \"*.domain\"", entry);
            return false;
        }
        if (colon) {
            if (!parse_port(colon + 1, r)) { snprintf(err, errlen, "'%s': bad port '%s'", entry, colon + 1); return false; }
            return true;
        }
    }
    if (!strcmp(r->host, "self") || !strcmp(r->scheme, "*")) { r->port_lo = r->port_hi = 0; return true; }
    int d = default_port(r->scheme);
    if (d < 0) { snprintf(err, errlen, "'%s': scheme '%s' has no default port: give one", entry, r->scheme); return false; }
    r->port_lo = r->port_hi = d;
    return true;
}

static bool host_matches(const char *pattern, const char *host) {
    if (!strcmp(pattern, "*")) return true;
    if (!strncmp(pattern, "*.", 2)) {
        size_t pl = strlen(pattern) - 1, hl = strlen(host); /* ".suffix" */
        return hl > pl && !strcasecmp(host + hl - pl, pattern + 1);
    }
    return !strcasecmp(pattern, host);
}

bool host_allow_match(const host_allow_rule *r, size_t n, const char *self_authority, const char *scheme,
                      const char *hostname, int port) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(r[i].scheme, "*") && strcasecmp(r[i].scheme, scheme)) continue;
        if (!strcmp(r[i].host, "self")) {
            if (self_authority && !strcmp(hostname, "self")) return true;
            continue;
        }
        if (!host_matches(r[i].host, hostname)) continue;
        int lo = r[i].port_lo, hi = r[i].port_hi;
        if (lo == 0) lo = hi = default_port(scheme); /* "*://host": each scheme's default */
        if (lo == -1 || (port >= lo && port <= hi)) return true;
    }
    return false;
}
