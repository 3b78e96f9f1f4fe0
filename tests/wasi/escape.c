/* escape.c — attempts to leave the pre-opened directory (fd 3, whatever
 * its guest name), each of which must fail with ENOTCAPABLE (or the
 * errno named). Uses the raw WASI calls so that wasi-libc's own path
 * handling cannot hide what the host answers. The host has put a symlink
 * "etc" -> /etc and a directory "sub" inside the sandbox beforehand. */
#include <wasi/api.h>

#include "check.h"

#define DIRFD 3
#define NOTCAP __WASI_ERRNO_NOTCAPABLE

static __wasi_errno_t open_at(const char *path, __wasi_lookupflags_t look, __wasi_oflags_t of) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(DIRFD, look, path, of, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == 0) CHECK(__wasi_fd_close(fd) == 0);
    return e;
}

int main(void) {
    __wasi_prestat_t ps;
    CHECK(__wasi_fd_prestat_get(DIRFD, &ps) == 0 && ps.tag == __WASI_PREOPENTYPE_DIR);
    const __wasi_lookupflags_t follow = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;

    /* .. and absolute paths */
    CHECK_ERRNO(open_at("..", follow, 0), NOTCAP);
    CHECK_ERRNO(open_at("../etc/passwd", follow, 0), NOTCAP);
    CHECK_ERRNO(open_at("/etc/passwd", follow, 0), NOTCAP);
    CHECK_ERRNO(open_at("sub/../../etc/passwd", follow, 0), NOTCAP);
    CHECK_ERRNO(open_at("sub/../..", follow, __WASI_OFLAGS_DIRECTORY), NOTCAP);
    CHECK_ERRNO(open_at("./sub/./../../", follow, __WASI_OFLAGS_DIRECTORY), NOTCAP);
    /* .. that stays inside is fine */
    CHECK_ERRNO(open_at("sub/..", follow, __WASI_OFLAGS_DIRECTORY), 0);

    /* a symlink to /etc placed inside the sandbox */
    CHECK_ERRNO(open_at("etc/passwd", follow, 0), NOTCAP);
    CHECK_ERRNO(open_at("etc/passwd", 0, 0), NOTCAP);
    CHECK_ERRNO(open_at("etc", follow, __WASI_OFLAGS_DIRECTORY), NOTCAP);
    CHECK_ERRNO(open_at("etc", 0, 0), __WASI_ERRNO_LOOP); /* not following: the link itself */
    __wasi_filestat_t st;
    CHECK_ERRNO(__wasi_path_filestat_get(DIRFD, follow, "etc/passwd", &st), NOTCAP);
    CHECK_ERRNO(__wasi_path_filestat_get(DIRFD, follow, "etc", &st), NOTCAP);
    CHECK_ERRNO(__wasi_path_filestat_get(DIRFD, 0, "etc", &st), 0); /* lstat of the link: inside */
    CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    char buf[32];
    __wasi_size_t n;
    CHECK_ERRNO(__wasi_path_readlink(DIRFD, "etc", (uint8_t *)buf, sizeof buf, &n), 0);
    CHECK(n == 4 && !memcmp(buf, "/etc", 4));
    CHECK_ERRNO(__wasi_path_create_directory(DIRFD, "etc/evil"), NOTCAP);
    CHECK_ERRNO(__wasi_path_unlink_file(DIRFD, "etc/passwd"), NOTCAP);

    /* a symlink the guest makes that points out */
    CHECK_ERRNO(__wasi_path_symlink("../..", DIRFD, "up"), 0);
    CHECK_ERRNO(open_at("up", follow, __WASI_OFLAGS_DIRECTORY), NOTCAP);
    CHECK_ERRNO(open_at("up/etc/passwd", follow, 0), NOTCAP);
    CHECK_ERRNO(__wasi_path_unlink_file(DIRFD, "up"), 0);
    CHECK_ERRNO(__wasi_path_symlink("/etc/passwd", DIRFD, "abs"), __WASI_ERRNO_PERM);

    /* creating, renaming, linking and removing out of the sandbox */
    __wasi_fd_t fd;
    CHECK_ERRNO(__wasi_path_open(DIRFD, 0, "../created", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
                NOTCAP);
    CHECK_ERRNO(__wasi_path_open(DIRFD, 0, "f", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd), 0);
    CHECK_ERRNO(__wasi_fd_close(fd), 0);
    CHECK_ERRNO(__wasi_path_rename(DIRFD, "f", DIRFD, "../f"), NOTCAP);
    CHECK_ERRNO(__wasi_path_rename(DIRFD, "f", DIRFD, "sub/../../f"), NOTCAP);
    CHECK_ERRNO(__wasi_path_rename(DIRFD, "f", DIRFD, "/tmp/f"), NOTCAP);
    CHECK_ERRNO(__wasi_path_rename(DIRFD, "f", DIRFD, "etc/f"), NOTCAP);
    CHECK_ERRNO(__wasi_path_link(DIRFD, 0, "f", DIRFD, "../f"), NOTCAP);
    CHECK_ERRNO(__wasi_path_link(DIRFD, 0, "../../etc/passwd", DIRFD, "pw"), NOTCAP);
    CHECK_ERRNO(__wasi_path_create_directory(DIRFD, "../d"), NOTCAP);
    CHECK_ERRNO(__wasi_path_remove_directory(DIRFD, "sub/../../d"), NOTCAP);
    CHECK_ERRNO(__wasi_path_unlink_file(DIRFD, "../f"), NOTCAP);
    CHECK_ERRNO(__wasi_path_rename(DIRFD, "f", DIRFD, "sub/f"), 0); /* inside is fine */
    CHECK_ERRNO(__wasi_path_unlink_file(DIRFD, "sub/f"), 0);

    /* descriptors that were never opened */
    CHECK_ERRNO(__wasi_fd_close(1234), __WASI_ERRNO_BADF);
    CHECK_ERRNO(open_at("x", 0, 0) == 0 ? 0 : __wasi_path_open(99, 0, "x", 0, 0, 0, 0, &fd),
                __WASI_ERRNO_BADF);
    CHECKS_DONE("escape");
    return 0;
}
