/* files.h — a component's `files`: globs staged (hard-linked, or copied)
 * into a temporary directory mounted read-only at "/", directories given
 * as {source, destination} mounted directly. */
#ifndef AW_APP_FILES_H
#define AW_APP_FILES_H

#include "anywhere/wasi.h"
#include "app/app.h"

/* Fills *pre (n entries, strings owned: free with app_files_free) and
 * *staging (a directory to remove at the end, or NULL). */
bool app_files_mount(const app *a, const app_component *c, aw_wasi_preopen **pre, int *n, char **staging,
                     char *err, size_t errlen);
void app_files_free(aw_wasi_preopen *pre, int n, char *staging);
/* Glob match with '*', '?', '[...]' within a segment and '**' across
 * segments. */
bool app_glob_match(const char *pattern, const char *path);

#endif
