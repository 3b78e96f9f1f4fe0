/* readonly.c — a read-only pre-opened directory (argv[1]): reading works,
 * every change fails (EROFS, or ENOTCAPABLE where a right is missing).
 * The host has put "data.txt" (holding "data") and "sub/" in it. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char **argv) {
    CHECK(argc == 2);
    CHECK(chdir(argv[1]) == 0);
    char buf[16] = {0};
    int fd = open("data.txt", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, sizeof buf) == 4 && !memcmp(buf, "data", 4));
    CHECK(write(fd, "x", 1) == -1);
    CHECK(close(fd) == 0);
    DIR *d = opendir("sub");
    CHECK(d && closedir(d) == 0);

#define REFUSED (errno == EROFS || errno == ENOTCAPABLE || errno == EPERM || errno == EACCES)
    CHECK(open("data.txt", O_WRONLY) == -1 && REFUSED);
    CHECK(open("data.txt", O_RDWR) == -1 && REFUSED);
    CHECK(open("new.txt", O_WRONLY | O_CREAT, 0644) == -1 && REFUSED);
    CHECK(open("data.txt", O_RDONLY | O_TRUNC) == -1 && REFUSED);
    CHECK(mkdir("newdir", 0755) == -1 && REFUSED);
    CHECK(rmdir("sub") == -1 && REFUSED);
    CHECK(unlink("data.txt") == -1 && REFUSED);
    CHECK(rename("data.txt", "other.txt") == -1 && REFUSED);
    CHECK(symlink("data.txt", "link") == -1 && REFUSED);
    CHECK(link("data.txt", "hard") == -1 && REFUSED);
    CHECK(truncate("data.txt", 0) == -1 && REFUSED);
    struct stat st;
    CHECK(stat("data.txt", &st) == 0 && st.st_size == 4);
    CHECK(access("new.txt", F_OK) == -1 && errno == ENOENT);
    CHECKS_DONE("readonly");
    return 0;
}
