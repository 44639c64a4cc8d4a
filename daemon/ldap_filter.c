/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LDAP search filters built from untrusted values: RFC 4515 escaping and the filters ntkd sends. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ldap_filter.h"

/* A growing NUL-terminated string; on allocation failure it remembers it. */
struct fbuf {
	char *s;
	size_t len;
	size_t cap;
	bool failed;
};

static void
fbuf_add(struct fbuf *b, const char *p, size_t n)
{
	char *ns;
	size_t ncap;

	if (b->failed)
		return;
	if (n > SIZE_MAX / 2 - b->len - 1) {
		b->failed = true;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 64;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((ns = realloc(b->s, ncap)) == NULL) {
			b->failed = true;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
fbuf_str(struct fbuf *b, const char *s)
{
	fbuf_add(b, s, strlen(s));
}

/* Printable ASCII that RFC 4515 lets stand for itself. */
static bool
plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '*' && c != '(' && c != ')' && c != '\\';
}

static void
fbuf_escaped(struct fbuf *b, const char *value)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)value;
	char esc[3];

	for (; *p != '\0'; p++) {
		if (plain_byte(*p)) {
			fbuf_add(b, (const char *)p, 1);
			continue;
		}
		esc[0] = '\\';
		esc[1] = hex[*p >> 4];
		esc[2] = hex[*p & 0x0f];
		fbuf_add(b, esc, 3);
	}
}

/* Hand the string over, or free it and report the failure. */
static int
fbuf_finish(struct fbuf *b, char **out)
{
	if (b->failed || b->s == NULL) {
		free(b->s);
		*out = NULL;
		return NTK_ERR_NOMEM;
	}
	*out = b->s;
	return 0;
}

int
ntkd_ldap_escape(const char *value, char **out)
{
	struct fbuf b = { 0 };

	*out = NULL;
	if (value == NULL)
		return NTK_ERR_INTERNAL;
	fbuf_add(&b, "", 0);
	fbuf_escaped(&b, value);
	return fbuf_finish(&b, out);
}

int
ntkd_ldap_filter_fill(const char *tmpl, const char *value, char **out)
{
	struct fbuf b = { 0 };
	const char *p;
	int nsubst = 0;

	*out = NULL;
	if (tmpl == NULL || value == NULL)
		return NTK_ERR_INTERNAL;
	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '%') {
			fbuf_add(&b, p, 1);
			continue;
		}
		if (p[1] == '%') {
			fbuf_add(&b, "%", 1);
			p++;
		} else if (p[1] == 's' && nsubst == 0) {
			fbuf_escaped(&b, value);
			nsubst++;
			p++;
		} else {
			free(b.s);
			return NTK_ERR_BAD_VALUE;
		}
	}
	if (nsubst != 1) {
		free(b.s);
		return NTK_ERR_BAD_VALUE;
	}
	return fbuf_finish(&b, out);
}

int
ntkd_ldap_filter_eq(const char *attr, const char *value, char **out)
{
	struct fbuf b = { 0 };

	*out = NULL;
	if (attr == NULL || value == NULL)
		return NTK_ERR_INTERNAL;
	fbuf_str(&b, "(");
	fbuf_str(&b, attr);
	fbuf_str(&b, "=");
	fbuf_escaped(&b, value);
	fbuf_str(&b, ")");
	return fbuf_finish(&b, out);
}

int
ntkd_ldap_filter_any(const char *attr, const char *const *values, size_t n, char **out)
{
	struct fbuf b = { 0 };
	size_t i;

	*out = NULL;
	if (attr == NULL || values == NULL || n == 0)
		return NTK_ERR_INTERNAL;
	fbuf_str(&b, "(|");
	for (i = 0; i < n; i++) {
		if (values[i] == NULL) {
			free(b.s);
			return NTK_ERR_INTERNAL;
		}
		fbuf_str(&b, "(");
		fbuf_str(&b, attr);
		fbuf_str(&b, "=");
		fbuf_escaped(&b, values[i]);
		fbuf_str(&b, ")");
	}
	fbuf_str(&b, ")");
	return fbuf_finish(&b, out);
}

int
ntkd_ldap_filter_case(const char *attr, const char *case_id, char **out)
{
	struct fbuf b = { 0 };

	*out = NULL;
	if (attr == NULL || case_id == NULL)
		return NTK_ERR_INTERNAL;
	fbuf_str(&b, "(|(");
	fbuf_str(&b, attr);
	fbuf_str(&b, "=");
	fbuf_escaped(&b, case_id);
	fbuf_str(&b, ")(");
	fbuf_str(&b, attr);
	fbuf_str(&b, "=");
	fbuf_escaped(&b, case_id);
	/* Only the id is untrusted: this substring part is ours. */
	fbuf_str(&b, ";*))");
	return fbuf_finish(&b, out);
}
