/* json.h — cJSON, loaded on first use.
 *
 * Why: every shared library the executable links costs the dynamic loader
 * ~0.1 ms at every process start, and most starts (`anywhere run
 * hello.wasm`) never touch JSON. So libcjson is not linked: the first cJSON
 * call from any thread dlopen()s it by its soname and fills a table of
 * function pointers (src/dl, as for every optional library). This module
 * sits below every layer: src/serve, src/host, src/app and src/cli use it.
 *
 * Include this instead of <cjson/cJSON.h>: it brings cJSON's types and
 * macros, and turns each cJSON function used here into a call through the
 * table, `cJSON_Parse(s)` becoming `(aw_json()->Parse)(s)`, so call sites
 * stay plain cJSON and can never reach an unbound pointer. A cJSON function
 * missing from AW_JSON_FUNCTIONS fails to link (libcjson is not linked):
 * add it to the list and give it a macro below.
 *
 * libcjson1 is a hard dependency of the package, so a library that cannot
 * be loaded is an installation error: aw_json() prints why and what to
 * install, and exits with status 1.
 *
 * Memory: cJSON is used with its default hooks (malloc/free; nothing calls
 * cJSON_InitHooks), so strings from cJSON_PrintUnformatted are released
 * with free(), as the call sites do.
 *
 * Built with AW_DL_DIRECT (`make DL_DIRECT=1`, mk/dl.mk) libcjson is linked
 * and the table points at the linked functions: no dlopen. */
#ifndef AW_JSON_JSON_H
#define AW_JSON_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "dl/dl.h"

/* Every cJSON function the program calls, as X(field, symbol). */
#define AW_JSON_FUNCTIONS(X)                                                                                           \
    X(Parse, cJSON_Parse)                                                                                              \
    X(ParseWithLength, cJSON_ParseWithLength)                                                                          \
    X(ParseWithLengthOpts, cJSON_ParseWithLengthOpts)                                                                  \
    X(PrintUnformatted, cJSON_PrintUnformatted)                                                                        \
    X(Delete, cJSON_Delete)                                                                                            \
    X(GetArraySize, cJSON_GetArraySize)                                                                                \
    X(GetArrayItem, cJSON_GetArrayItem)                                                                                \
    X(GetObjectItemCaseSensitive, cJSON_GetObjectItemCaseSensitive)                                                    \
    X(GetStringValue, cJSON_GetStringValue)                                                                            \
    X(IsFalse, cJSON_IsFalse)                                                                                          \
    X(IsTrue, cJSON_IsTrue)                                                                                            \
    X(IsNull, cJSON_IsNull)                                                                                            \
    X(IsNumber, cJSON_IsNumber)                                                                                        \
    X(IsString, cJSON_IsString)                                                                                        \
    X(IsArray, cJSON_IsArray)                                                                                          \
    X(IsObject, cJSON_IsObject)                                                                                        \
    X(CreateNull, cJSON_CreateNull)                                                                                    \
    X(CreateBool, cJSON_CreateBool)                                                                                    \
    X(CreateNumber, cJSON_CreateNumber)                                                                                \
    X(CreateString, cJSON_CreateString)                                                                                \
    X(CreateArray, cJSON_CreateArray)                                                                                  \
    X(CreateObject, cJSON_CreateObject)                                                                                \
    X(CreateIntArray, cJSON_CreateIntArray)                                                                            \
    X(CreateFloatArray, cJSON_CreateFloatArray)                                                                        \
    X(AddItemToArray, cJSON_AddItemToArray)                                                                            \
    X(AddItemToObject, cJSON_AddItemToObject)                                                                          \
    X(AddItemReferenceToArray, cJSON_AddItemReferenceToArray)                                                          \
    X(DetachItemFromArray, cJSON_DetachItemFromArray)                                                                  \
    X(DeleteItemFromObject, cJSON_DeleteItemFromObject)                                                                \
    X(ReplaceItemInObject, cJSON_ReplaceItemInObject)                                                                  \
    X(AddNullToObject, cJSON_AddNullToObject)                                                                          \
    X(AddBoolToObject, cJSON_AddBoolToObject)                                                                          \
    X(AddNumberToObject, cJSON_AddNumberToObject)                                                                      \
    X(AddStringToObject, cJSON_AddStringToObject)                                                                      \
    X(AddObjectToObject, cJSON_AddObjectToObject)                                                                      \
    X(AddArrayToObject, cJSON_AddArrayToObject)

/* Each pointer typed from cJSON's own header: a wrong prototype cannot creep in. */
typedef struct aw_json_table {
    AW_JSON_FUNCTIONS(AW_DL_FIELD)
} aw_json_table;

/* Binds the table on the first call from any thread; true when it can be
 * used, else false with "JSON support needs libcjson (why); install
 * libcjson1" in err. For a caller that wants the error on its own path. */
bool aw_json_load(char *err, size_t errlen);

/* The bound table; if libcjson cannot be loaded, prints why on stderr and
 * exits with status 1. What the macros below call. */
const aw_json_table *aw_json(void);

/* json.c defines AW_JSON_SHIM: it needs cJSON's real names. */
#ifndef AW_JSON_SHIM
#define cJSON_Parse (aw_json()->Parse)
#define cJSON_ParseWithLength (aw_json()->ParseWithLength)
#define cJSON_ParseWithLengthOpts (aw_json()->ParseWithLengthOpts)
#define cJSON_PrintUnformatted (aw_json()->PrintUnformatted)
#define cJSON_Delete (aw_json()->Delete)
#define cJSON_GetArraySize (aw_json()->GetArraySize)
#define cJSON_GetArrayItem (aw_json()->GetArrayItem)
#define cJSON_GetObjectItemCaseSensitive (aw_json()->GetObjectItemCaseSensitive)
#define cJSON_GetStringValue (aw_json()->GetStringValue)
#define cJSON_IsFalse (aw_json()->IsFalse)
#define cJSON_IsTrue (aw_json()->IsTrue)
#define cJSON_IsNull (aw_json()->IsNull)
#define cJSON_IsNumber (aw_json()->IsNumber)
#define cJSON_IsString (aw_json()->IsString)
#define cJSON_IsArray (aw_json()->IsArray)
#define cJSON_IsObject (aw_json()->IsObject)
#define cJSON_CreateNull (aw_json()->CreateNull)
#define cJSON_CreateBool (aw_json()->CreateBool)
#define cJSON_CreateNumber (aw_json()->CreateNumber)
#define cJSON_CreateString (aw_json()->CreateString)
#define cJSON_CreateArray (aw_json()->CreateArray)
#define cJSON_CreateObject (aw_json()->CreateObject)
#define cJSON_CreateIntArray (aw_json()->CreateIntArray)
#define cJSON_CreateFloatArray (aw_json()->CreateFloatArray)
#define cJSON_AddItemToArray (aw_json()->AddItemToArray)
#define cJSON_AddItemToObject (aw_json()->AddItemToObject)
#define cJSON_AddItemReferenceToArray (aw_json()->AddItemReferenceToArray)
#define cJSON_DetachItemFromArray (aw_json()->DetachItemFromArray)
#define cJSON_DeleteItemFromObject (aw_json()->DeleteItemFromObject)
#define cJSON_ReplaceItemInObject (aw_json()->ReplaceItemInObject)
#define cJSON_AddNullToObject (aw_json()->AddNullToObject)
#define cJSON_AddBoolToObject (aw_json()->AddBoolToObject)
#define cJSON_AddNumberToObject (aw_json()->AddNumberToObject)
#define cJSON_AddStringToObject (aw_json()->AddStringToObject)
#define cJSON_AddObjectToObject (aw_json()->AddObjectToObject)
#define cJSON_AddArrayToObject (aw_json()->AddArrayToObject)
#endif

#endif
