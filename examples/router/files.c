/* files — a WAGI handler that serves files mounted read-only at "/". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const char *info = getenv("PATH_INFO");
    char path[512];
    snprintf(path, sizeof path, "/static%s", info && *info ? info : "/readme.txt");
    FILE *f = strstr(path, "..") ? NULL : fopen(path, "rb");
    if (!f) {
        printf("Status: 404\nContent-Type: text/plain\n\nno such file: %s\n", path);
        return 0;
    }
    printf("Content-Type: text/plain\n\n");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
}
