/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bounded byte buffer for the wire protocol: appends grow it, reads never overrun it. */
#ifndef NTK_BUF_H
#define NTK_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Treat as opaque outside ntk_buf.c. Integers are big-endian on the wire.
 * Every put fails with NTK_ERR_TOO_LONG rather than grow past `max`; every
 * get fails with NTK_ERR_TRUNCATED rather than read past the end, and leaves
 * the read offset where it was.
 */
struct ntk_buf {
	uint8_t *data;
	size_t len;             /* bytes written */
	size_t off;             /* next byte to read */
	size_t cap;             /* bytes allocated; 0 for a borrowed view */
	size_t max;             /* hard limit on len */
};

void ntk_buf_init(struct ntk_buf *b, size_t max);
/* Free the storage; accepts NULL; leaves an empty buffer with the same max. */
void ntk_buf_free(struct ntk_buf *b);
/* Forget the contents, keep the storage. */
void ntk_buf_reset(struct ntk_buf *b);
/* A read-only view of `len` bytes the caller owns (no copy, never freed). */
void ntk_buf_view(struct ntk_buf *b, const void *data, size_t len);

size_t ntk_buf_remaining(const struct ntk_buf *b);
const uint8_t *ntk_buf_ptr(const struct ntk_buf *b);   /* next unread byte */
/* Make room for `n` more bytes and return where they go (for read(2)); NULL on error. */
uint8_t *ntk_buf_reserve(struct ntk_buf *b, size_t n);
/* Account `n` bytes written into the space returned by ntk_buf_reserve. */
void ntk_buf_commit(struct ntk_buf *b, size_t n);
/*
 * Append what `fd` has, at most `want` bytes: 0 with *got the count (0
 * when a non-blocking fd has nothing yet); NTK_ERR_CLOSED at end of file,
 * NTK_ERR_TOO_LONG when the buffer is at its max, NTK_ERR_IO otherwise.
 */
int ntk_buf_recv(struct ntk_buf *b, int fd, size_t want, size_t *got);
/* Drop `n` unread bytes from the front (NTK_ERR_TRUNCATED past the end); room is reclaimed. */
int ntk_buf_consume(struct ntk_buf *b, size_t n);

int ntk_buf_put_u8(struct ntk_buf *b, uint8_t v);
int ntk_buf_put_u16(struct ntk_buf *b, uint16_t v);
int ntk_buf_put_u32(struct ntk_buf *b, uint32_t v);
int ntk_buf_put_i32(struct ntk_buf *b, int32_t v);
int ntk_buf_put_i64(struct ntk_buf *b, int64_t v);
int ntk_buf_put_bytes(struct ntk_buf *b, const void *p, size_t n);
/* u32 length then the bytes, no terminator. NULL is sent as "". Over max_len: NTK_ERR_TOO_LONG. */
int ntk_buf_put_str(struct ntk_buf *b, const char *s, size_t max_len);

int ntk_buf_get_u8(struct ntk_buf *b, uint8_t *v);
int ntk_buf_get_u16(struct ntk_buf *b, uint16_t *v);
int ntk_buf_get_u32(struct ntk_buf *b, uint32_t *v);
int ntk_buf_get_i32(struct ntk_buf *b, int32_t *v);
int ntk_buf_get_i64(struct ntk_buf *b, int64_t *v);
int ntk_buf_get_bytes(struct ntk_buf *b, void *p, size_t n);
/*
 * A string of at most max_len bytes, returned NUL-terminated in a new
 * allocation. A NUL inside it: NTK_ERR_EMBEDDED_NUL. Length over max_len:
 * NTK_ERR_TOO_LONG, checked before anything is allocated.
 */
int ntk_buf_get_str(struct ntk_buf *b, char **out, size_t max_len);
/* The same into a caller's array of `size` bytes (max length size - 1). */
int ntk_buf_get_str_into(struct ntk_buf *b, char *dst, size_t size);

#endif /* NTK_BUF_H */
