/* exitcode.c — exits with the code given (through proc_exit), or traps
 * with "trap", or returns normally from main with "return". */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2) return 0;
    if (!strcmp(argv[1], "trap")) __builtin_trap();
    if (!strcmp(argv[1], "return")) return 3;
    exit(atoi(argv[1]));
}
