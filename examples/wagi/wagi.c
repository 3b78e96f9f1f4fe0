/* wagi — a WAGI handler: an ordinary WASI command. The request body is on
 * stdin, the request in environment variables, the query in argv; it
 * answers with CGI headers, a blank line and the body on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
    const char *method = getenv("REQUEST_METHOD");
    printf("Content-Type: text/plain\n");
    if (getenv("HTTP_X_STATUS")) printf("Status: %s\n", getenv("HTTP_X_STATUS"));
    printf("X-Wagi: yes\n\n");
    printf("Hello from WAGI: %s %s\n", method ? method : "?", getenv("X_FULL_URL") ? getenv("X_FULL_URL") : "?");
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env %s\n", *e);
    char buf[4096];
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        if (total == 0) printf("body: ");
        fwrite(buf, 1, n, stdout);
        total += n;
    }
    if (total) printf("\nbody bytes: %zu\n", total);
    return 0;
}
