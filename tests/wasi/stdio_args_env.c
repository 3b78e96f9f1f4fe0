/* stdio_args_env.c — standard streams, arguments and environment: copies
 * stdin to stdout in upper case, prints argv and the variables named on
 * the command line, and writes one line to stderr. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    int nenv = 0;
    for (char **e = environ; *e; e++) nenv++;
    printf("environ has %d\n", nenv);
    for (int i = 1; i < argc; i++) {
        const char *v = getenv(argv[i]);
        if (v) printf("%s=%s\n", argv[i], v);
    }
    int c;
    while ((c = getchar()) != EOF) putchar(toupper(c));
    fprintf(stderr, "this is stderr\n");
    return 0;
}
