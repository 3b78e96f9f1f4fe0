/* toml.h — a TOML 1.0 parser into a document tree (for spin.toml manifests).
 *
 * toml_parse() reads a whole document and returns its root table, or NULL
 * with a message that names the file, line and column and what was expected:
 *   "spin.toml: line 3, column 7: expected '=' after key 'name'"
 * Every value keeps the line and column where it starts, and every table
 * entry where its key starts, so that a layer above can report bad content
 * by position. The tree is read-only for users; toml_free() releases it.
 * Lines and columns count from 1; columns count characters (code points).
 */
#ifndef ANYWHERE_APP_TOML_H
#define ANYWHERE_APP_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum toml_type {
    TOML_TABLE,
    TOML_ARRAY,
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOL,
    TOML_DATETIME,       /* offset date-time   1979-05-27T07:32:00-08:00 */
    TOML_DATETIME_LOCAL, /* local date-time    1979-05-27T07:32:00 */
    TOML_DATE_LOCAL,     /* local date         1979-05-27 */
    TOML_TIME_LOCAL,     /* local time         07:32:00.999 */
} toml_type;

/* Fields that a type does not have are 0 (a local date has no time...). */
typedef struct toml_datetime {
    int year, month, day;
    int hour, minute, second; /* second may be 60 (a leap second, as RFC 3339) */
    int nanosecond;           /* digits past the 9th are truncated */
    int offset_minutes;       /* TOML_DATETIME only: Z is 0, -08:00 is -480 */
} toml_datetime;

typedef struct toml_pos {
    int line, column;
} toml_pos;

typedef struct toml_error {
    toml_pos pos;       /* where the error is (0, 0 when there is no error) */
    char message[320];  /* "FILE: line L, column C: what was expected" */
} toml_error;

typedef struct toml_value toml_value;

/* Parses LEN bytes of DATA (need not be NUL-terminated; a leading UTF-8 BOM
 * is skipped). FILE names the document in messages (NULL: "<input>").
 * Returns the root table, or NULL and fills ERR (which may be NULL). */
toml_value *toml_parse(const char *data, size_t len, const char *file, toml_error *err);
void toml_free(toml_value *root);

toml_type toml_type_of(const toml_value *v);     /* V must not be NULL */
const char *toml_type_name(toml_type type); /* "table", "array", "string", "integer", ... */
toml_pos toml_pos_of(const toml_value *v);  /* where the value starts; a table: its header or first key */

/* Tables: entries in document order. */
size_t toml_table_len(const toml_value *table);
const char *toml_table_key(const toml_value *table, size_t i, size_t *len); /* NUL-terminated; len may be NULL */
const toml_value *toml_table_value(const toml_value *table, size_t i);
toml_pos toml_table_key_pos(const toml_value *table, size_t i);

/* Lookup of one key (not a dotted path). NULL, or false, when TABLE is not
 * a table, the key is missing, or the value has another type. */
const toml_value *toml_get(const toml_value *table, const char *key);
const toml_value *toml_get_n(const toml_value *table, const char *key, size_t len);
const toml_value *toml_get_table(const toml_value *table, const char *key);
const toml_value *toml_get_array(const toml_value *table, const char *key);
const char *toml_get_string(const toml_value *table, const char *key);
bool toml_get_int(const toml_value *table, const char *key, int64_t *out);
bool toml_get_float(const toml_value *table, const char *key, double *out);
bool toml_get_bool(const toml_value *table, const char *key, bool *out);

/* Arrays (also arrays of tables). */
size_t toml_array_len(const toml_value *array);
const toml_value *toml_array_at(const toml_value *array, size_t i);

/* Scalars; a value of another type gives NULL / 0 / false. Strings are
 * NUL-terminated but may contain NUL: LEN (may be NULL) has the length. */
const char *toml_string(const toml_value *v, size_t *len);
int64_t toml_int(const toml_value *v);
double toml_float(const toml_value *v);
bool toml_bool(const toml_value *v);
const toml_datetime *toml_datetime_of(const toml_value *v); /* any of the 4 date/time types */

#endif
