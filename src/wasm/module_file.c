/*
 * module_file.c — reading a module file into a module buffer
 * (aw_module_read_file), leaving out what the engine never reads.
 *
 * A program built with debug information is mostly custom sections (a C
 * hello world's: 37 of its 41 KB). The engine reads only "name", so the
 * others' payloads are left unread: the buffer starts zeroed and pages
 * never written cost nothing, which is a noticeable part of starting a
 * small program. Section headers are peeked at into a local array, not
 * the buffer, so a skipped section's pages stay untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anywhere/wasm.h"
#include "wasm/reader.h"

/* A file being read into a module buffer: what of it has been read. */
typedef struct file_reader {
    int fd;
    uint8_t *buf;
    size_t size;               /* the file's, by fstat */
    size_t read_from, read_to; /* what the last read covered */
} file_reader;

enum { HEADER_PEEK = 64 }; /* a section header: id, size, and a custom section's name */

/* Reads [from, to) of the file, and while at it a little more: a page
 * when reading on from where the last read ended (a run of small sections
 * then takes one system call), a section header's worth after a skip. 0,
 * or an errno (EAGAIN: the file ended early). */
static int read_span(file_reader *r, size_t from, size_t to) {
    if (to > r->size) to = r->size;
    if (from < r->read_to && to <= r->read_to) return 0;
    size_t more = from <= r->read_to ? 4096 : HEADER_PEEK;
    if (from <= r->read_to) from = r->read_to; /* goes on: [read_from, to) is read after */
    else r->read_from = from;
    size_t ahead = from + more < r->size ? from + more : r->size;
    if (to < ahead) to = ahead;
    while (from < to) {
        ssize_t got = pread(r->fd, r->buf + from, to - from, (off_t)from);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return got < 0 ? errno : EAGAIN;
        from += (size_t)got;
    }
    r->read_to = to;
    return 0;
}

/* Up to HEADER_PEEK bytes of the file at `at` into hdr, not into the
 * buffer: a skipped section's header must not touch its page. */
static int peek(const file_reader *r, size_t at, uint8_t hdr[HEADER_PEEK], size_t *n) {
    *n = r->size - at < HEADER_PEEK ? r->size - at : HEADER_PEEK;
    if (at >= r->read_from && at + *n <= r->read_to) {
        memcpy(hdr, r->buf + at, *n);
        return 0;
    }
    for (;;) {
        ssize_t got = pread(r->fd, hdr, *n, (off_t)at);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return errno;
        return (size_t)got < *n ? EAGAIN : 0;
    }
}

static bool ascii(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80) return false;
    return true;
}

/* Whether the section whose header is hdr[0..n) (payload `len` bytes from
 * hdr + payload_at) is one to leave unread: a custom section whose whole
 * name is in hdr and ASCII (so valid UTF-8, as the loader would check),
 * other than "name". */
static bool skippable(const uint8_t *hdr, size_t n, size_t payload_at, uint32_t len) {
    if (hdr[0] != 0) return false;
    wasm_reader w;
    uint32_t nlen;
    wasm_reader_init(&w, hdr, hdr + payload_at, hdr + n);
    if (!wasm_read_u32(&w, &nlen)) return false;
    size_t nh = (size_t)(w.p - (hdr + payload_at));
    return nlen <= len - nh && nlen <= wasm_reader_left(&w) && ascii(w.p, nlen) &&
           !(nlen == 4 && !memcmp(w.p, "name", 4));
}

/* Stands one custom section with an empty name in for the skipped ones in
 * [from, to): only its header is written (7 bytes: a LEB128 padded to 5
 * covers any size), so that the pages under theirs are never touched. A
 * run too short for that is read. */
static int close_run(file_reader *r, size_t from, size_t to) {
    if (from == to) return 0;
    if (to - from < 7) return read_span(r, from, to);
    uint32_t n = (uint32_t)(to - from - 6);
    uint8_t *p = r->buf + from;
    p[0] = 0;
    for (int i = 0; i < 5; i++) p[1 + i] = (uint8_t)(((n >> (7 * i)) & 0x7F) | (i < 4 ? 0x80 : 0));
    p[6] = 0;
    return 0;
}

/* Reads the sections, leaving out the skippable ones: consecutive ones
 * become one unread section (close_run). Anything it cannot follow (no
 * magic, a size past the end) is read as it is, for the loader to report.
 * 0 or an errno. */
static int read_sections(file_reader *r) {
    int e = read_span(r, 0, 8);
    if (e || r->size < 8 || memcmp(r->buf, "\0asm", 4) != 0) return e ? e : read_span(r, 0, r->size);
    size_t at = 8, run = 8; /* [run, at): skipped custom sections not yet closed */
    while (at < r->size) {
        uint8_t hdr[HEADER_PEEK];
        size_t n;
        uint32_t len;
        if ((e = peek(r, at, hdr, &n))) return e;
        wasm_reader w;
        wasm_reader_init(&w, hdr, hdr + 1, hdr + n);
        if (!wasm_read_u32(&w, &len) || len > r->size - at - (size_t)(w.p - hdr))
            return (e = close_run(r, run, at)) ? e : read_span(r, at, r->size);
        size_t payload_at = (size_t)(w.p - hdr), end = at + payload_at + len;
        if (!skippable(hdr, n, payload_at, len)) {
            if ((e = close_run(r, run, at)) || (e = read_span(r, at, end))) return e;
            run = end;
        }
        at = end;
    }
    return close_run(r, run, at);
}

uint8_t *aw_module_read_file(const char *path, bool skip_custom, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : !S_ISREG(st.st_mode) ? EINVAL : 0;
    if (e) {
        close(fd);
        errno = e;
        return NULL;
    }
    file_reader r = {fd, aw_module_buffer((size_t)st.st_size), (size_t)st.st_size, 0, 0};
    e = !r.buf ? ENOMEM : skip_custom ? read_sections(&r) : read_span(&r, 0, r.size);
    uint8_t extra;
    if (!e && pread(fd, &extra, 1, (off_t)r.size) != 0) e = EAGAIN; /* longer: being written */
    close(fd);
    if (e) {
        aw_module_buffer_free(r.buf, r.size);
        errno = e;
        return NULL;
    }
    *len = r.size;
    return r.buf;
}
