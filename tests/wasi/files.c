/* files.c — file system calls inside a pre-opened directory (argv[1] is
 * its guest name): write/read, seek/tell, pread/pwrite, append, truncate,
 * stat, directory listing, mkdir/rmdir, rename, link, symlink/readlink,
 * unlink, utimes. The directory must start empty. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static void write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    CHECK(close(fd) == 0);
}

static void check_file(const char *path, const char *want) {
    char buf[256] = {0};
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    CHECK(n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n));
    CHECK(close(fd) == 0);
}

static void io(void) {
    write_file("a.txt", "hello file");
    check_file("a.txt", "hello file");

    /* stdio on top */
    FILE *f = fopen("b.txt", "w+");
    CHECK(f);
    CHECK(fprintf(f, "line %d\n", 42) == 8);
    rewind(f);
    char line[32];
    CHECK(fgets(line, sizeof line, f) && !strcmp(line, "line 42\n"));
    CHECK(fclose(f) == 0);

    /* seek, tell, pread, pwrite */
    int fd = open("a.txt", O_RDWR);
    CHECK(fd >= 0);
    CHECK(lseek(fd, 6, SEEK_SET) == 6);
    char buf[16] = {0};
    CHECK(read(fd, buf, 4) == 4 && !memcmp(buf, "file", 4));
    CHECK(lseek(fd, 0, SEEK_CUR) == 10);
    CHECK(lseek(fd, -4, SEEK_END) == 6);
    CHECK(pwrite(fd, "HELLO", 5, 0) == 5);
    CHECK(lseek(fd, 0, SEEK_CUR) == 6); /* pwrite leaves the position alone */
    CHECK(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "HELLO", 5));
    CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL);
    CHECK(ftruncate(fd, 5) == 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode));
    CHECK(close(fd) == 0);
    check_file("a.txt", "HELLO");

    /* append */
    fd = open("a.txt", O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "!", 1) == 1 && close(fd) == 0);
    check_file("a.txt", "HELLO!");

    /* O_EXCL on an existing file; a missing file */
    CHECK(open("a.txt", O_WRONLY | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);
    CHECK(open("missing.txt", O_RDONLY) == -1 && errno == ENOENT);
    CHECK(open("a.txt/x", O_RDONLY) == -1 && errno == ENOTDIR);
}

static void dirs(void) {
    CHECK(mkdir("sub", 0755) == 0);
    CHECK(mkdir("sub", 0755) == -1 && errno == EEXIST);
    write_file("sub/one", "1");
    write_file("sub/two", "22");
    CHECK(mkdir("sub/inner", 0755) == 0);

    DIR *d = opendir("sub");
    CHECK(d);
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, "one")) {
            seen |= 1;
            CHECK(e->d_type == DT_REG);
        } else if (!strcmp(e->d_name, "two")) {
            seen |= 2;
        } else if (!strcmp(e->d_name, "inner")) {
            seen |= 4;
            CHECK(e->d_type == DT_DIR);
        } else {
            CHECK(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."));
        }
    }
    CHECK(seen == 7);
    CHECK(closedir(d) == 0);

    struct stat st;
    CHECK(stat("sub/two", &st) == 0 && st.st_size == 2);
    CHECK(stat("sub/inner", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(rmdir("sub") == -1 && errno == ENOTEMPTY);
    CHECK(rmdir("sub/inner") == 0);
    CHECK(stat("sub/inner", &st) == -1 && errno == ENOENT);
}

static void names(void) {
    /* rename within and across directories */
    CHECK(rename("sub/one", "sub/uno") == 0);
    check_file("sub/uno", "1");
    CHECK(rename("sub/uno", "moved") == 0);
    check_file("moved", "1");
    CHECK(access("sub/uno", F_OK) == -1 && errno == ENOENT);

    /* hard link */
    CHECK(link("moved", "hard") == 0);
    struct stat st;
    CHECK(stat("hard", &st) == 0 && st.st_nlink == 2);

    /* symlinks: relative targets that stay inside */
    CHECK(symlink("sub/two", "sym") == 0);
    char buf[64] = {0};
    CHECK(readlink("sym", buf, sizeof buf) == 7 && !memcmp(buf, "sub/two", 7));
    check_file("sym", "22");
    CHECK(lstat("sym", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(symlink("nowhere", "dangling") == 0);
    CHECK(open("dangling", O_RDONLY) == -1 && errno == ENOENT);

    /* times */
    struct timeval tv[2] = {{1000000000, 0}, {1200000000, 0}};
    CHECK(utimes("moved", tv) == 0);
    CHECK(stat("moved", &st) == 0 && st.st_mtim.tv_sec == 1200000000);

    /* unlink everything */
    const char *all[] = {"a.txt", "b.txt", "moved", "hard", "sym", "dangling", "sub/two"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK(unlink(all[i]) == 0);
    CHECK(unlink("sub") == -1 && (errno == EISDIR || errno == EPERM));
    CHECK(rmdir("sub") == 0);
    CHECK(unlink("a.txt") == -1 && errno == ENOENT);
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    CHECK(chdir(argv[1]) == 0);
    io();
    dirs();
    names();
    DIR *d = opendir(".");
    CHECK(d);
    struct dirent *e;
    int left = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) left++;
    CHECK(left == 0);
    closedir(d);
    CHECKS_DONE("files");
    return 0;
}
