// zlib, for the deflate members of .npz archives and gzip files (Debian: zlib1g-dev). zlib's
// init macros do not import into Swift, so the whole-buffer operations Kiln needs are written
// here.
#ifndef KILN_CZLIB_SHIM_H
#define KILN_CZLIB_SHIM_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

// Inflates the raw deflate stream src (no zlib header) into dst, which holds exactly the
// expected size. Returns Z_OK when the stream ended and filled dst exactly, Z_DATA_ERROR for a
// damaged stream, Z_BUF_ERROR when the sizes disagree, or another zlib error.
static inline int kiln_inflate_raw(const unsigned char *src, size_t src_len, unsigned char *dst, size_t dst_len) {
    z_stream s;
    memset(&s, 0, sizeof s);
    int rc = inflateInit2(&s, -MAX_WBITS);
    if (rc != Z_OK) return rc;
    size_t in_left = src_len, out_left = dst_len;
    s.next_in = (Bytef *)src;
    s.next_out = dst;
    do {
        if (s.avail_in == 0 && in_left > 0) {
            s.avail_in = in_left > 0x40000000 ? 0x40000000 : (uInt)in_left;
            in_left -= s.avail_in;
        }
        if (s.avail_out == 0 && out_left > 0) {
            s.avail_out = out_left > 0x40000000 ? 0x40000000 : (uInt)out_left;
            out_left -= s.avail_out;
        }
        rc = inflate(&s, Z_NO_FLUSH);
        if (rc == Z_BUF_ERROR && ((s.avail_in == 0 && in_left == 0) || (s.avail_out == 0 && out_left == 0))) break;
    } while (rc == Z_OK);
    int filled = s.avail_out == 0 && out_left == 0;
    inflateEnd(&s);
    if (rc == Z_STREAM_END) return filled ? Z_OK : Z_BUF_ERROR;
    if (rc == Z_OK || rc == Z_BUF_ERROR) return Z_BUF_ERROR;
    return rc;
}

// An upper bound of the raw deflate size of src_len bytes.
static inline size_t kiln_deflate_bound(size_t src_len) {
    return src_len + src_len / 1000 + (src_len / 16000 + 1) * 5 + 64;
}

// Deflates src as a raw stream (no zlib header) into dst (of kiln_deflate_bound(src_len)
// bytes) at zlib's default level; *written receives the compressed size. Returns Z_OK or a
// zlib error.
static inline int kiln_deflate_raw(const unsigned char *src, size_t src_len, unsigned char *dst, size_t dst_cap, size_t *written) {
    z_stream s;
    memset(&s, 0, sizeof s);
    int rc = deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) return rc;
    size_t in_left = src_len, out_left = dst_cap;
    s.next_in = (Bytef *)src;
    s.next_out = dst;
    do {
        if (s.avail_in == 0 && in_left > 0) {
            s.avail_in = in_left > 0x40000000 ? 0x40000000 : (uInt)in_left;
            in_left -= s.avail_in;
        }
        if (s.avail_out == 0 && out_left > 0) {
            s.avail_out = out_left > 0x40000000 ? 0x40000000 : (uInt)out_left;
            out_left -= s.avail_out;
        }
        rc = deflate(&s, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
    } while (rc == Z_OK || (rc == Z_BUF_ERROR && s.avail_out == 0 && out_left > 0));
    *written = (size_t)(s.next_out - dst);
    deflateEnd(&s);
    return rc == Z_STREAM_END ? Z_OK : rc;
}

// kiln_gunzip's result when a member does not start with gzip's magic bytes.
#define KILN_GZIP_NOT_GZIP (-100)

// Decompresses gzip data as Python's gzip module reads a file: one member or several in a
// row, zero bytes allowed between and after them, an empty input giving no output. zlib
// checks each member's CRC-32 and length. On success returns Z_OK with the output in a
// malloc'd buffer *out of *out_len bytes, which the caller frees; size_hint is the expected
// size (the last member's ISIZE field). Otherwise returns Z_DATA_ERROR for damaged data or a
// failed check (*message says which), Z_BUF_ERROR when the input ends inside a member,
// Z_MEM_ERROR when the output would pass max_len bytes or memory runs out, or
// KILN_GZIP_NOT_GZIP when a member does not start with gzip's magic bytes; *at is the input
// offset of the member that failed.
static inline int kiln_gunzip(const unsigned char *src, size_t src_len, size_t size_hint, size_t max_len,
                              unsigned char **out, size_t *out_len, size_t *at, const char **message) {
    *out = NULL;
    *out_len = 0;
    *at = 0;
    *message = NULL;
    size_t cap = size_hint > 0 && size_hint <= max_len ? size_hint : 4096, len = 0, pos = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) return Z_MEM_ERROR;
    int rc = Z_OK, first = 1;
    for (;;) {
        if (!first) while (pos < src_len && src[pos] == 0) pos++;
        if (pos == src_len) break;
        first = 0;
        *at = pos;
        if (src_len - pos < 2 || src[pos] != 0x1f || src[pos + 1] != 0x8b) { rc = KILN_GZIP_NOT_GZIP; break; }
        z_stream s;
        memset(&s, 0, sizeof s);
        rc = inflateInit2(&s, 16 + MAX_WBITS);
        if (rc != Z_OK) break;
        size_t in_left = src_len - pos;
        s.next_in = (Bytef *)(src + pos);
        for (;;) {
            if (s.avail_in == 0 && in_left > 0) {
                s.avail_in = in_left > 0x40000000 ? 0x40000000 : (uInt)in_left;
                in_left -= s.avail_in;
            }
            if (len == cap) {
                size_t grown = cap > max_len / 2 ? max_len : cap * 2;
                unsigned char *bigger = grown > cap ? realloc(buf, grown) : NULL;
                if (!bigger) { rc = Z_MEM_ERROR; break; }
                buf = bigger;
                cap = grown;
            }
            size_t room = cap - len > 0x40000000 ? 0x40000000 : cap - len;
            s.next_out = buf + len;
            s.avail_out = (uInt)room;
            rc = inflate(&s, Z_NO_FLUSH);
            len += room - s.avail_out;
            if (rc == Z_STREAM_END) break;
            if (rc == Z_BUF_ERROR && s.avail_in == 0 && in_left == 0) break;
            if (rc != Z_OK && rc != Z_BUF_ERROR) break;
        }
        *message = s.msg;
        pos = (size_t)((const unsigned char *)s.next_in - src);
        inflateEnd(&s);
        if (rc != Z_STREAM_END) break;
        rc = Z_OK;
    }
    if (rc != Z_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return Z_OK;
}

// CRC-32 of a buffer of any size.
static inline unsigned long kiln_crc32(const unsigned char *data, size_t len) {
    return crc32_z(0L, data, len);
}

#endif
