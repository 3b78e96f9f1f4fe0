/* clocks_random.c — the realtime clock against the time the host passes
 * as argv[1] (seconds), the monotonic clock, resolutions, sleeping, and
 * random bytes. */
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"

static uint64_t mono_ns(void) {
    struct timespec ts;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
    CHECK(argc == 2);
    long long host_now = atoll(argv[1]);
    struct timespec ts;
    CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
    CHECK(ts.tv_sec >= host_now - 5 && ts.tv_sec <= host_now + 60);
    CHECK(time(NULL) >= host_now - 5);

    uint64_t a = mono_ns(), b = mono_ns();
    CHECK(b >= a);
    CHECK(clock_getres(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec == 0 && ts.tv_nsec > 0);
    CHECK(clock_getres(CLOCK_REALTIME, &ts) == 0);
    CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
    __wasi_timestamp_t t;
    CHECK_ERRNO(__wasi_clock_time_get(99, 1, &t), __WASI_ERRNO_INVAL);

    /* nanosleep is poll_oneoff with one relative clock subscription. */
    a = mono_ns();
    struct timespec nap = {0, 30 * 1000000};
    CHECK(nanosleep(&nap, NULL) == 0);
    b = mono_ns();
    CHECK(b - a >= 29 * 1000000u && b - a < 2000000000u);

    unsigned char r1[64] = {0}, r2[64] = {0};
    CHECK(getentropy(r1, sizeof r1) == 0);
    CHECK(getentropy(r2, sizeof r2) == 0);
    CHECK(memcmp(r1, r2, sizeof r1) != 0);
    CHECK(__wasi_random_get(r1, 0) == 0);
    CHECKS_DONE("clocks_random");
    return 0;
}
