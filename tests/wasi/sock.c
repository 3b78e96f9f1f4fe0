/* sock.c — a pre-opened listening socket (anywhere run --tcplisten, the
 * guest's fd 3): accepts one connection, reads a line, answers it in
 * upper case, shuts down and checks the socket calls' errors. */
#include <ctype.h>
#include <wasi/api.h>

#include "check.h"

int main(void) {
    __wasi_fdstat_t st;
    CHECK(__wasi_fd_fdstat_get(3, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
    CHECK_ERRNO(__wasi_sock_shutdown(0, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
    __wasi_fd_t conn;
    CHECK_ERRNO(__wasi_sock_accept(3, 0, &conn), 0);
    char buf[128];
    size_t have = 0;
    while (have < sizeof buf - 1 && (!have || buf[have - 1] != '\n')) {
        __wasi_iovec_t iov = {(uint8_t *)buf + have, sizeof buf - 1 - have};
        __wasi_size_t n = 0;
        __wasi_roflags_t fl;
        CHECK_ERRNO(__wasi_sock_recv(conn, &iov, 1, 0, &n, &fl), 0);
        if (n == 0) break;
        have += n;
    }
    for (size_t i = 0; i < have; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    __wasi_ciovec_t out = {(const uint8_t *)buf, have};
    __wasi_size_t sent = 0;
    CHECK_ERRNO(__wasi_sock_send(conn, &out, 1, 0, &sent), 0);
    CHECK(sent == have);
    CHECK_ERRNO(__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR), 0);
    CHECK_ERRNO(__wasi_fd_close(conn), 0);
    CHECKS_DONE("sock");
    return 0;
}
