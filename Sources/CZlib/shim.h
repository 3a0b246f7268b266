// zlib, for the deflate members of .npz archives (Debian: zlib1g-dev). zlib's init macros do
// not import into Swift, so the two whole-buffer operations Kiln needs are written here.
#ifndef KILN_CZLIB_SHIM_H
#define KILN_CZLIB_SHIM_H

#include <stddef.h>
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

// CRC-32 of a buffer of any size.
static inline unsigned long kiln_crc32(const unsigned char *data, size_t len) {
    return crc32_z(0L, data, len);
}

#endif
