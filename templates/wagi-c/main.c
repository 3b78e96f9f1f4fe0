/* {{project-name}} — a WAGI handler: the request body is stdin, headers are
 * environment variables (REQUEST_METHOD, PATH_INFO, HTTP_*...), the query is
 * argv; print CGI headers, a blank line, then the body. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    const char *path = getenv("PATH_INFO");
    printf("Content-Type: text/plain\n\n");
    printf("Hello from WAGI! %s %s\n", getenv("REQUEST_METHOD"), path && *path ? path : "/");
    for (int i = 1; i < argc; i++) printf("query part: %s\n", argv[i]);
    return 0;
}
