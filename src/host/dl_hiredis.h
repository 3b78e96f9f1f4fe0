/* dl_hiredis.h — libhiredis, loaded on first use (dl.h): the Redis
 * key-value store (kv_redis.c). hiredis has no common prefix, so the
 * table keeps its names:
 *   if (!aw_hiredis_load(err, errlen)) return error;
 *   aw_hiredis.redisCommandArgv(...); */
#ifndef AW_HOST_DL_HIREDIS_H
#define AW_HOST_DL_HIREDIS_H

#include <hiredis/hiredis.h>

#include "dl/dl.h"

#define AW_HIREDIS_FUNCTIONS(X)                                                                                        \
    X(redisConnectWithTimeout, redisConnectWithTimeout)                                                                \
    X(redisSetTimeout, redisSetTimeout)                                                                                \
    X(redisCommand, redisCommand)                                                                                      \
    X(redisCommandArgv, redisCommandArgv)                                                                              \
    X(freeReplyObject, freeReplyObject)                                                                                \
    X(redisFree, redisFree)

typedef struct aw_hiredis_table {
    AW_HIREDIS_FUNCTIONS(AW_DL_FIELD)
} aw_hiredis_table;

/* Written once by aw_hiredis_load (dl.h), read-only afterwards. */
extern aw_hiredis_table aw_hiredis;

bool aw_hiredis_load(char *err, size_t errlen);

#endif
