/* poll.c — poll_oneoff: argv[1] "timeout" waits on stdin (a pipe with
 * nothing in it) with a 50 ms timeout and expects no event; "ready"
 * expects stdin to be readable at once (the host pipes data in);
 * "clocks" polls two clock subscriptions and gets the earlier one. */
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static long long ms_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    long long t0 = ms_now();
    if (!strcmp(argv[1], "timeout")) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        CHECK(poll(&p, 1, 50) == 0);
        long long took = ms_now() - t0;
        CHECK(took >= 45 && took < 5000);
    } else if (!strcmp(argv[1], "ready")) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN));
        CHECK(ms_now() - t0 < 2000);
        char buf[8];
        CHECK(read(0, buf, sizeof buf) > 0);
        struct pollfd out = {.fd = 1, .events = POLLOUT};
        CHECK(poll(&out, 1, 0) == 1 && (out.revents & POLLOUT));
    } else if (!strcmp(argv[1], "clocks")) {
        __wasi_subscription_t subs[2] = {0};
        subs[0].userdata = 1;
        subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
        subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subs[0].u.u.clock.timeout = 2000000000ull;
        subs[1].userdata = 2;
        subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
        subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subs[1].u.u.clock.timeout = 20000000ull;
        __wasi_event_t ev[2];
        __wasi_size_t n = 0;
        CHECK(__wasi_poll_oneoff(subs, ev, 2, &n) == 0);
        CHECK(n == 1 && ev[0].userdata == 2 && ev[0].error == 0 && ev[0].type == __WASI_EVENTTYPE_CLOCK);
        long long took = ms_now() - t0;
        CHECK(took >= 19 && took < 1500);
        /* an unknown descriptor is an event with EBADF, not a failure */
        subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
        subs[0].u.u.fd_read.file_descriptor = 77;
        CHECK(__wasi_poll_oneoff(subs, ev, 2, &n) == 0);
        CHECK(n >= 1 && ev[0].userdata == 1 && ev[0].error == __WASI_ERRNO_BADF);
        CHECK_ERRNO(__wasi_poll_oneoff(subs, ev, 0, &n), __WASI_ERRNO_INVAL);
    } else {
        return 2;
    }
    CHECKS_DONE(argv[1]);
    return 0;
}
