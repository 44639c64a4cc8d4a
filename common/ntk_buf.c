/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bounded byte buffer for the wire protocol: capped growth, checked reads, big-endian integers. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ntk_buf.h"
#include "ntk_err.h"

#define NTK_BUF_MIN_ALLOC 256

/* A borrowed view: caller memory we must never write, grow or free. */
static int
buf_is_view(const struct ntk_buf *b)
{
	return b->cap == 0 && b->data != NULL;
}

void
ntk_buf_init(struct ntk_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->off = 0;
	b->cap = 0;
	b->max = max;
}

void
ntk_buf_free(struct ntk_buf *b)
{
	if (b == NULL)
		return;
	if (!buf_is_view(b) && b->data != NULL) {
		/* Requests may carry reasons and names: do not leave them in the heap. */
		explicit_bzero(b->data, b->cap);
		free(b->data);
	}
	ntk_buf_init(b, b->max);
}

void
ntk_buf_reset(struct ntk_buf *b)
{
	b->len = 0;
	b->off = 0;
	if (buf_is_view(b)) {
		/* An emptied view has nothing left to borrow. */
		b->data = NULL;
		b->max = 0;
	}
}

void
ntk_buf_view(struct ntk_buf *b, const void *data, size_t len)
{
	/* The cast drops const; buf_is_view() keeps every writer away from it. */
	b->data = (uint8_t *)(uintptr_t)data;
	b->len = data != NULL ? len : 0;
	b->off = 0;
	b->cap = 0;
	b->max = b->len;
}

size_t
ntk_buf_remaining(const struct ntk_buf *b)
{
	return b->len - b->off;
}

const uint8_t *
ntk_buf_ptr(const struct ntk_buf *b)
{
	if (b->data == NULL)
		return NULL;
	return b->data + b->off;
}

/* Make sure `n` more bytes fit; 0 or a negative NTK_ERR_*. */
static int
buf_grow(struct ntk_buf *b, size_t n)
{
	size_t need, newcap;
	uint8_t *p;

	if (buf_is_view(b))
		return NTK_ERR_INTERNAL;
	if (b->len > b->max || n > b->max - b->len)
		return NTK_ERR_TOO_LONG;
	need = b->len + n;
	if (need <= b->cap && b->data != NULL)
		return 0;
	newcap = b->cap < NTK_BUF_MIN_ALLOC ? NTK_BUF_MIN_ALLOC : b->cap;
	while (newcap < need) {
		if (newcap > SIZE_MAX / 2) {
			newcap = need;
			break;
		}
		newcap *= 2;
	}
	if (newcap > b->max)
		newcap = b->max;
	if (newcap == 0)
		return NTK_ERR_TOO_LONG;
	if ((p = realloc(b->data, newcap)) == NULL)
		return NTK_ERR_NOMEM;
	b->data = p;
	b->cap = newcap;
	return 0;
}

uint8_t *
ntk_buf_reserve(struct ntk_buf *b, size_t n)
{
	if (buf_grow(b, n) != 0)
		return NULL;
	return b->data + b->len;
}

void
ntk_buf_commit(struct ntk_buf *b, size_t n)
{
	/* Only what was reserved can be committed; anything else is ignored. */
	if (buf_is_view(b) || n > b->cap - b->len)
		return;
	b->len += n;
}

int
ntk_buf_recv(struct ntk_buf *b, int fd, size_t want, size_t *got)
{
	ssize_t k;
	int r;

	*got = 0;
	if (buf_is_view(b))
		return NTK_ERR_INTERNAL;
	if (b->len >= b->max)
		return NTK_ERR_TOO_LONG;
	if (want > b->max - b->len)
		want = b->max - b->len;
	/* Read into the room there is; grow only a full buffer. */
	if (b->data != NULL && b->cap > b->len && want > b->cap - b->len)
		want = b->cap - b->len;
	if ((r = buf_grow(b, want)) != 0)
		return r;
	do
		k = recv(fd, b->data + b->len, want, 0);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : NTK_ERR_IO;
	if (k == 0)
		return NTK_ERR_CLOSED;
	b->len += (size_t)k;
	*got = (size_t)k;
	return 0;
}

int
ntk_buf_consume(struct ntk_buf *b, size_t n)
{
	if (n > b->len - b->off)
		return NTK_ERR_TRUNCATED;
	b->off += n;
	/* Owned storage: move the rest to the front so appends reuse the room. */
	if (!buf_is_view(b) && b->off > 0) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	return 0;
}

int
ntk_buf_put_bytes(struct ntk_buf *b, const void *p, size_t n)
{
	uint8_t *d;
	int r;

	if ((r = buf_grow(b, n)) != 0)
		return r;
	d = b->data + b->len;
	if (n > 0)
		memcpy(d, p, n);
	b->len += n;
	return 0;
}

int
ntk_buf_put_u8(struct ntk_buf *b, uint8_t v)
{
	return ntk_buf_put_bytes(b, &v, 1);
}

int
ntk_buf_put_u16(struct ntk_buf *b, uint16_t v)
{
	uint8_t d[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return ntk_buf_put_bytes(b, d, sizeof(d));
}

int
ntk_buf_put_u32(struct ntk_buf *b, uint32_t v)
{
	uint8_t d[4] = {
		(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v
	};

	return ntk_buf_put_bytes(b, d, sizeof(d));
}

int
ntk_buf_put_i32(struct ntk_buf *b, int32_t v)
{
	return ntk_buf_put_u32(b, (uint32_t)v);
}

int
ntk_buf_put_i64(struct ntk_buf *b, int64_t v)
{
	uint64_t u = (uint64_t)v;
	uint8_t d[8];
	int i;

	for (i = 7; i >= 0; i--) {
		d[i] = (uint8_t)u;
		u >>= 8;
	}
	return ntk_buf_put_bytes(b, d, sizeof(d));
}

int
ntk_buf_put_str(struct ntk_buf *b, const char *s, size_t max_len)
{
	size_t n;
	int r;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if (n > max_len || n > UINT32_MAX || n > SIZE_MAX - 4)
		return NTK_ERR_TOO_LONG;
	/* Room for length and bytes first, so a failure writes nothing. */
	if ((r = buf_grow(b, 4 + n)) != 0)
		return r;
	if ((r = ntk_buf_put_u32(b, (uint32_t)n)) != 0)
		return r;
	return ntk_buf_put_bytes(b, s, n);
}

/* Copy `n` bytes at the read offset without consuming them. */
static int
buf_peek(const struct ntk_buf *b, void *p, size_t n)
{
	if (n > ntk_buf_remaining(b))
		return NTK_ERR_TRUNCATED;
	if (n > 0)
		memcpy(p, b->data + b->off, n);
	return 0;
}

int
ntk_buf_get_bytes(struct ntk_buf *b, void *p, size_t n)
{
	int r;

	if ((r = buf_peek(b, p, n)) != 0)
		return r;
	b->off += n;
	return 0;
}

int
ntk_buf_get_u8(struct ntk_buf *b, uint8_t *v)
{
	return ntk_buf_get_bytes(b, v, 1);
}

int
ntk_buf_get_u16(struct ntk_buf *b, uint16_t *v)
{
	uint8_t d[2];
	int r;

	if ((r = ntk_buf_get_bytes(b, d, sizeof(d))) != 0)
		return r;
	*v = (uint16_t)((d[0] << 8) | d[1]);
	return 0;
}

static uint32_t
be32(const uint8_t d[4])
{
	return ((uint32_t)d[0] << 24) | ((uint32_t)d[1] << 16) |
	    ((uint32_t)d[2] << 8) | (uint32_t)d[3];
}

int
ntk_buf_get_u32(struct ntk_buf *b, uint32_t *v)
{
	uint8_t d[4];
	int r;

	if ((r = ntk_buf_get_bytes(b, d, sizeof(d))) != 0)
		return r;
	*v = be32(d);
	return 0;
}

int
ntk_buf_get_i32(struct ntk_buf *b, int32_t *v)
{
	uint32_t u;
	int r;

	if ((r = ntk_buf_get_u32(b, &u)) != 0)
		return r;
	/* Two's complement without relying on implementation-defined conversion. */
	*v = u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
	return 0;
}

int
ntk_buf_get_i64(struct ntk_buf *b, int64_t *v)
{
	uint8_t d[8];
	uint64_t u = 0;
	int i, r;

	if ((r = ntk_buf_get_bytes(b, d, sizeof(d))) != 0)
		return r;
	for (i = 0; i < 8; i++)
		u = (u << 8) | d[i];
	*v = u <= INT64_MAX ? (int64_t)u : (int64_t)(u - 0x8000000000000000ull) + INT64_MIN;
	return 0;
}

/*
 * Check the string at the read offset: its length within max_len and the
 * buffer, no NUL inside. Sets *lenp; consumes nothing.
 */
static int
buf_peek_str(const struct ntk_buf *b, size_t max_len, size_t *lenp)
{
	uint8_t d[4];
	uint32_t n;
	int r;

	if ((r = buf_peek(b, d, sizeof(d))) != 0)
		return r;
	n = be32(d);
	if (n > max_len)
		return NTK_ERR_TOO_LONG;
	if (n > ntk_buf_remaining(b) - 4)
		return NTK_ERR_TRUNCATED;
	if (n > 0 && memchr(b->data + b->off + 4, '\0', n) != NULL)
		return NTK_ERR_EMBEDDED_NUL;
	*lenp = n;
	return 0;
}

int
ntk_buf_get_str(struct ntk_buf *b, char **out, size_t max_len)
{
	size_t n;
	char *s;
	int r;

	*out = NULL;
	if ((r = buf_peek_str(b, max_len, &n)) != 0)
		return r;
	if ((s = malloc(n + 1)) == NULL)
		return NTK_ERR_NOMEM;
	if (n > 0)
		memcpy(s, b->data + b->off + 4, n);
	s[n] = '\0';
	b->off += 4 + n;
	*out = s;
	return 0;
}

int
ntk_buf_get_str_into(struct ntk_buf *b, char *dst, size_t size)
{
	size_t n;
	int r;

	if (size == 0)
		return NTK_ERR_BAD_VALUE;
	dst[0] = '\0';
	if ((r = buf_peek_str(b, size - 1, &n)) != 0)
		return r;
	if (n > 0)
		memcpy(dst, b->data + b->off + 4, n);
	dst[n] = '\0';
	b->off += 4 + n;
	return 0;
}
