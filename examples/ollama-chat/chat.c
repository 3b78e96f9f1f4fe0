/* chat.c — the seed's demo: an HTTP component that POSTs a prompt to an
 * Ollama server (/api/generate, stream: false) and returns the answer as
 * text. The server is `anywhere serve-model`, or Ollama itself on a GPU
 * node; its address and the model come from variables, and the manifest
 * allows exactly that address for outbound requests.
 *
 *   curl -d 'Why is the sky blue?' http://127.0.0.1:3000/chat
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere.h"

/* S as a JSON string literal (quotes included). */
static char *json_string(const char *s) {
    char *out = malloc(strlen(s) * 6 + 3), *o = out;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') *o++ = '\\', *o++ = (char)*p;
        else if (*p == '\n') *o++ = '\\', *o++ = 'n';
        else if (*p < 0x20) o += sprintf(o, "\\u%04x", *p);
        else *o++ = (char)*p;
    }
    *o++ = '"';
    *o = 0;
    return out;
}

/* The string value of "key" in a flat JSON object, unescaped (\uXXXX
 * below 0x80 only; others are kept as '?'), or NULL. */
static char *json_get(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    if (*p++ != '"') return NULL;
    char *out = malloc(strlen(p) + 1), *o = out;
    for (; *p && *p != '"'; p++) {
        if (*p != '\\') { *o++ = *p; continue; }
        switch (*++p) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'u': {
            unsigned v = (unsigned)strtoul((char[5]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
            *o++ = v < 0x80 ? (char)v : '?';
            p += 4;
            break;
        }
        default: *o++ = *p;
        }
    }
    *o = 0;
    return out;
}

ANYWHERE_HANDLER int anywhere_handle(void) {
    const char *prompt = anywhere_body(NULL);
    if (!prompt || !*prompt) prompt = anywhere_query_get("prompt");
    if (!prompt || !*prompt) prompt = "Why is the sky blue?";
    const char *url = anywhere_variable("ollama_url"), *model = anywhere_variable("model");
    char *endpoint = malloc(strlen(url) + 16), *body = malloc(strlen(prompt) * 6 + strlen(model) * 6 + 64);
    sprintf(endpoint, "%s/api/generate", url);
    sprintf(body, "{\"model\":%s,\"prompt\":%s,\"stream\":false}", json_string(model), json_string(prompt));
    anywhere_header("content-type", "text/plain; charset=utf-8");
    anywhere_http_response r;
    int rc = anywhere_http_send("POST", endpoint, "Content-Type: application/json", body, strlen(body), &r);
    if (rc < 0) {
        anywhere_status(502);
        anywhere_printf("cannot reach the Ollama server at %s: %s\n", url, anywhere_error());
        return 0;
    }
    char *answer = r.status == 200 ? json_get(r.body, "response") : NULL;
    if (!answer) {
        anywhere_status(502);
        anywhere_printf("the Ollama server answered %d: %s\n", r.status, r.body);
        return 0;
    }
    anywhere_printf("%s\n", answer);
    return 0;
}
