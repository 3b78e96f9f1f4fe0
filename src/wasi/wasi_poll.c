/*
 * wasi_poll.c — poll_oneoff (clocks and descriptor readiness) and the
 * socket calls on pre-opened sockets (sock_accept, sock_recv, sock_send,
 * sock_shutdown).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "wasi/wasi_int.h"

#define SUB_SIZE 48
#define EVENT_SIZE 32
#define MAX_SUBS 4096

enum { EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2 };

static uint64_t now_ns(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_event(uint8_t *ev, uint64_t userdata, uint16_t error, uint8_t type, uint64_t nbytes,
                      uint16_t flags) {
    memset(ev, 0, EVENT_SIZE);
    wasi_put_u64(ev, userdata);
    wasi_put_u16(ev + 8, error);
    ev[10] = type;
    wasi_put_u64(ev + 16, nbytes);
    wasi_put_u16(ev + 24, flags);
}

/* Clock subscriptions become one deadline (the earliest, in monotonic
 * nanoseconds); descriptor ones become pollfds. */
WASI_IMPL(poll_oneoff) {
    uint32_t nsubs = (uint32_t)a[2];
    if (nsubs == 0) return WASI_EINVAL;
    if (nsubs > MAX_SUBS) return WASI_ENOTSUP;
    const uint8_t *subs = wasi_mem(c, (uint32_t)a[0], (uint64_t)nsubs * SUB_SIZE);
    uint8_t *events = wasi_mem(c, (uint32_t)a[1], (uint64_t)nsubs * EVENT_SIZE);
    if (!subs || !events) return WASI_EFAULT;

    struct pollfd *pfds = calloc(nsubs, sizeof *pfds);
    uint64_t *deadline = calloc(nsubs, sizeof *deadline); /* per clock sub, 0 = n/a */
    if (!pfds || !deadline) {
        free(pfds), free(deadline);
        return WASI_ENOMEM;
    }
    uint32_t nevents = 0;
    uint64_t earliest = UINT64_MAX, start = now_ns(CLOCK_MONOTONIC);
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *s = subs + i * SUB_SIZE;
        uint64_t userdata = wasi_get_u64(s);
        uint8_t tag = s[8];
        pfds[i].fd = -1;
        if (tag == EVENT_CLOCK) {
            uint32_t id = wasi_get_u32(s + 16);
            uint64_t timeout = wasi_get_u64(s + 24);
            uint16_t flags = (uint16_t)(s[40] | s[41] << 8);
            if (id > 3) {
                put_event(events + nevents++ * EVENT_SIZE, userdata, WASI_EINVAL, tag, 0, 0);
                continue;
            }
            uint64_t when;
            if (flags & 1) { /* absolute: convert from its clock to monotonic */
                clockid_t cid = id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
                uint64_t now = now_ns(cid);
                when = start + (timeout > now ? timeout - now : 0);
            } else {
                when = start + timeout;
            }
            deadline[i] = when ? when : 1;
            if (when < earliest) earliest = when;
        } else if (tag == EVENT_FD_READ || tag == EVENT_FD_WRITE) {
            wasi_fd *f = wasi_fd_get(c->w, wasi_get_u32(s + 16));
            if (!f || f->host < 0) {
                put_event(events + nevents++ * EVENT_SIZE, userdata, WASI_EBADF, tag, 0, 0);
                continue;
            }
            pfds[i].fd = f->host;
            pfds[i].events = tag == EVENT_FD_READ ? POLLIN : POLLOUT;
        } else {
            put_event(events + nevents++ * EVENT_SIZE, userdata, WASI_EINVAL, tag, 0, 0);
        }
    }
    /* Wait only when nothing is ready yet (errors count as events). */
    int timeout_ms = nevents ? 0 : -1;
    for (;;) {
        if (!nevents && earliest != UINT64_MAX) {
            uint64_t now = now_ns(CLOCK_MONOTONIC);
            uint64_t left = earliest > now ? earliest - now : 0;
            timeout_ms = (int)((left + 999999) / 1000000);
        }
        int r = poll(pfds, nsubs, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            free(pfds), free(deadline);
            return wasi_errno(errno);
        }
        break;
    }
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *s = subs + i * SUB_SIZE;
        uint64_t userdata = wasi_get_u64(s);
        if (pfds[i].fd >= 0 && pfds[i].revents) {
            uint8_t tag = s[8];
            uint64_t nbytes = 0;
            int avail = 0;
            if (tag == EVENT_FD_READ && ioctl(pfds[i].fd, FIONREAD, &avail) == 0) nbytes = (uint64_t)avail;
            uint16_t flags = (pfds[i].revents & POLLHUP) ? 1 : 0; /* fd_readwrite_hangup */
            uint16_t err = (pfds[i].revents & POLLNVAL) ? WASI_EBADF : 0;
            put_event(events + nevents++ * EVENT_SIZE, userdata, err, tag, nbytes, flags);
        } else if (deadline[i] && deadline[i] <= now + 500000 /* poll's ms rounding */) {
            put_event(events + nevents++ * EVENT_SIZE, userdata, 0, EVENT_CLOCK, 0, 0);
        }
    }
    free(pfds), free(deadline);
    return wasi_store_u32(c, (uint32_t)a[3], nevents) ? WASI_ESUCCESS : WASI_EFAULT;
}

/* ---- sockets ------------------------------------------------------------ */

static uint32_t get_sock(wasi_call *c, uint64_t num, wasi_fd **out) {
    wasi_fd *f = wasi_fd_get(c->w, (uint32_t)num);
    if (!f) return WASI_EBADF;
    if (f->kind != WASI_FD_SOCKET) return WASI_ENOTSOCK;
    *out = f;
    return WASI_ESUCCESS;
}

WASI_IMPL(sock_accept) {
    wasi_fd *f;
    uint32_t e = get_sock(c, a[0], &f);
    if (e) return e;
    uint16_t flags = (uint16_t)a[1];
    if (flags & ~WASI_FDFLAG_NONBLOCK) return WASI_EINVAL;
    int s = accept4(f->host, NULL, NULL, SOCK_CLOEXEC | ((flags & WASI_FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0));
    if (s < 0) return wasi_errno(errno);
    int64_t slot = wasi_fd_alloc(c->w);
    if (slot < 0) {
        close(s);
        return WASI_EMFILE;
    }
    c->w->fds[slot] = (wasi_fd){.kind = WASI_FD_SOCKET, .host = s, .fdflags = flags,
                                .filetype = WASI_FILETYPE_SOCKET_STREAM,
                                .rights_base = WASI_RIGHTS_SOCKET & ~WASI_RIGHT(WASI_R_SOCK_ACCEPT)};
    return wasi_store_u32(c, (uint32_t)a[2], (uint32_t)slot) ? WASI_ESUCCESS : WASI_EFAULT;
}

/* Shared by recv and send: guest iovecs to host ones. */
static uint32_t sock_iovs(wasi_call *c, uint32_t ptr, uint32_t n, struct iovec **out) {
    if (n > 1024) return WASI_EINVAL;
    const uint8_t *p = wasi_mem(c, ptr, (uint64_t)n * 8);
    if (!p && n) return WASI_EFAULT;
    struct iovec *iov = calloc(n ? n : 1, sizeof *iov);
    if (!iov) return WASI_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = wasi_get_u32(p + 8 * i), len = wasi_get_u32(p + 8 * i + 4);
        iov[i].iov_base = wasi_mem(c, buf, len);
        iov[i].iov_len = len;
        if (!iov[i].iov_base && len) {
            free(iov);
            return WASI_EFAULT;
        }
    }
    *out = iov;
    return WASI_ESUCCESS;
}

WASI_IMPL(sock_recv) {
    wasi_fd *f;
    struct iovec *iov;
    uint32_t e = get_sock(c, a[0], &f);
    if (e || (e = sock_iovs(c, (uint32_t)a[1], (uint32_t)a[2], &iov))) return e;
    uint16_t riflags = (uint16_t)a[3];
    int flags = ((riflags & 1) ? MSG_PEEK : 0) | ((riflags & 2) ? MSG_WAITALL : 0);
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)(uint32_t)a[2]};
    ssize_t r = recvmsg(f->host, &msg, flags);
    free(iov);
    if (r < 0) return wasi_errno(errno);
    uint16_t roflags = (msg.msg_flags & MSG_TRUNC) ? 1 : 0;
    uint8_t *fp = wasi_mem(c, (uint32_t)a[5], 2);
    if (!wasi_store_u32(c, (uint32_t)a[4], (uint32_t)r) || !fp) return WASI_EFAULT;
    wasi_put_u16(fp, roflags);
    return WASI_ESUCCESS;
}

WASI_IMPL(sock_send) {
    wasi_fd *f;
    struct iovec *iov;
    uint32_t e = get_sock(c, a[0], &f);
    if (e || (e = sock_iovs(c, (uint32_t)a[1], (uint32_t)a[2], &iov))) return e;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)(uint32_t)a[2]};
    ssize_t r = sendmsg(f->host, &msg, MSG_NOSIGNAL);
    free(iov);
    if (r < 0) return wasi_errno(errno);
    return wasi_store_u32(c, (uint32_t)a[4], (uint32_t)r) ? WASI_ESUCCESS : WASI_EFAULT;
}

WASI_IMPL(sock_shutdown) {
    wasi_fd *f;
    uint32_t e = get_sock(c, a[0], &f);
    if (e) return e;
    uint32_t how = (uint32_t)a[1];
    int h;
    if (how == 1) h = SHUT_RD;
    else if (how == 2) h = SHUT_WR;
    else if (how == 3) h = SHUT_RDWR;
    else return WASI_EINVAL;
    return shutdown(f->host, h) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}
