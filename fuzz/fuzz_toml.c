/* fuzz_toml.c — libFuzzer target for the TOML parser (src/app/toml.c).
 *
 * Any input must give either a tree or an error with a position, without a
 * crash, leak or sanitizer report. A tree is walked whole: every key must
 * be found again by lookup (that exercises the hash index), every value must
 * have a position inside the input, strings must be NUL-terminated.
 * Build and run: make fuzz-toml-run (mk/toml.mk).
 */
#include "app/toml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int lines_in(const uint8_t *data, size_t size)
{
    int n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

static void check(int cond)
{
    if (!cond)
        abort();
}

static void walk(const toml_value *v, int max_line)
{
    toml_pos pos = toml_pos_of(v);
    check(pos.line >= 1 && pos.line <= max_line && pos.column >= 1);
    switch (toml_type_of(v)) {
    case TOML_TABLE:
        for (size_t i = 0; i < toml_table_len(v); i++) {
            size_t len;
            const char *key = toml_table_key(v, i, &len);
            check(key && key[len] == 0);
            check(toml_get_n(v, key, len) == toml_table_value(v, i));
            check(toml_table_key_pos(v, i).line >= 1);
            walk(toml_table_value(v, i), max_line);
        }
        break;
    case TOML_ARRAY:
        for (size_t i = 0; i < toml_array_len(v); i++)
            walk(toml_array_at(v, i), max_line);
        break;
    case TOML_STRING: {
        size_t len;
        const char *s = toml_string(v, &len);
        check(s && s[len] == 0);
        break;
    }
    case TOML_DATETIME:
    case TOML_DATETIME_LOCAL:
    case TOML_DATE_LOCAL:
    case TOML_TIME_LOCAL: {
        const toml_datetime *dt = toml_datetime_of(v);
        check(dt && dt->month <= 12 && dt->day <= 31 && dt->hour <= 23 && dt->nanosecond < 1000000000);
        break;
    }
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    toml_error err;
    toml_value *doc = toml_parse((const char *)data, size, "fuzz.toml", &err);
    int max_line = lines_in(data, size);
    if (!doc) {
        check(err.pos.line >= 1 && err.pos.line <= max_line && err.pos.column >= 1);
        check(strstr(err.message, "fuzz.toml: line ") == err.message);
        return 0;
    }
    check(toml_type_of(doc) == TOML_TABLE);
    walk(doc, max_line);
    toml_free(doc);
    return 0;
}
