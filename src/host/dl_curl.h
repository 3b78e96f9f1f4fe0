/* dl_curl.h — libcurl, loaded on first use (dl.h): outbound HTTP
 * (outbound.c) and the remote llm backends (llm_remote.c).
 *   if (!aw_curl_load(err, errlen)) return error;
 *   CURL *c = aw_curl.easy_init();      (curl_easy_init: the curl_ prefix dropped)
 * aw_curl_load also runs curl_global_init, once. */
#ifndef AW_HOST_DL_CURL_H
#define AW_HOST_DL_CURL_H

#include <curl/curl.h>

#include "dl/dl.h"

#define AW_CURL_FUNCTIONS(X)                                                                                           \
    X(global_init, curl_global_init)                                                                                   \
    X(easy_init, curl_easy_init)                                                                                       \
    X(easy_setopt, curl_easy_setopt)                                                                                   \
    X(easy_perform, curl_easy_perform)                                                                                 \
    X(easy_getinfo, curl_easy_getinfo)                                                                                 \
    X(easy_strerror, curl_easy_strerror)                                                                               \
    X(easy_cleanup, curl_easy_cleanup)                                                                                 \
    X(slist_append, curl_slist_append)                                                                                 \
    X(slist_free_all, curl_slist_free_all)                                                                             \
    X(share_init, curl_share_init)                                                                                     \
    X(share_setopt, curl_share_setopt)                                                                                 \
    X(share_cleanup, curl_share_cleanup)                                                                               \
    X(url, curl_url)                                                                                                   \
    X(url_set, curl_url_set)                                                                                           \
    X(url_get, curl_url_get)                                                                                           \
    X(url_cleanup, curl_url_cleanup)                                                                                   \
    X(free, curl_free)

typedef struct aw_curl_table {
    AW_CURL_FUNCTIONS(AW_DL_FIELD)
} aw_curl_table;

/* Written once by aw_curl_load (dl.h), read-only afterwards. */
extern aw_curl_table aw_curl;

bool aw_curl_load(char *err, size_t errlen);

#endif
