/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Output of one table as aligned text, CSV (RFC 4180) or JSON, with every value escaped for its format. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_audit.h"

/* Rows kept to size the text columns; later rows stream with those widths. */
#define TEXT_SIZING_ROWS 1000
/* A longer value overflows its column on its own line instead of widening all lines. */
#define TEXT_MAX_WIDTH 40

struct ntk_audit_out {
	FILE *f;
	enum ntk_audit_format fmt;
	const struct ntk_audit_col *cols;
	size_t ncols;
	long rows;
	/* text: rendered cells of the first rows, then the widths */
	char **pending;                /* ncols * npending strings */
	size_t npending;
	size_t *width;
	bool header_done;
};

struct sbuf {
	char *p;
	size_t len, cap;
	bool fail;
};

static void
sb_put(struct sbuf *b, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (b->fail)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->fail = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* "\\xNN" for one byte */
static void
sb_hex(struct sbuf *b, unsigned v)
{
	char t[8];

	snprintf(t, sizeof(t), "\\x%02X", v & 0xffu);
	sb_puts(b, t);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 (overlong, surrogate, bad). */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned c = s[0], cp;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Code points a terminal must not get raw: C1 controls (U+0080..U+009F,
 * escapes in UTF-8 too), line/paragraph separators and the bidi overrides
 * and isolates (U+2028..U+202E, U+2066..U+2069) that reorder what is shown.
 */
static bool
is_unsafe(const unsigned char *s, size_t n)
{
	if (n == 2)
		return s[0] == 0xc2 && s[1] < 0xa0;
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x80)
		return s[2] >= 0xa8 && s[2] <= 0xae;
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x81)
		return s[2] >= 0xa6 && s[2] <= 0xa9;
	return false;
}

/*
 * The escapes of text, without the surrounding quotes: \" (only when
 * `quote`; CSV doubles quotes instead) \\ \n \r \t, \xNN for other
 * controls, unsafe code points and bytes that are not UTF-8.
 */
static void
escape_value(struct sbuf *b, const char *v, bool quote)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i, n;

	for (i = 0; s[i] != '\0'; i += n) {
		n = utf8_len(s + i);
		if (n == 0 || is_unsafe(s + i, n)) {
			for (size_t k = 0; k < (n ? n : 1); k++)
				sb_hex(b, s[i + k]);
			n = n ? n : 1;
		} else if (n > 1)
			sb_put(b, v + i, n);
		else if (s[i] == '"')
			sb_puts(b, quote ? "\\\"" : "\"");
		else if (s[i] == '\\')
			sb_puts(b, "\\\\");
		else if (s[i] == '\n')
			sb_puts(b, "\\n");
		else if (s[i] == '\r')
			sb_puts(b, "\\r");
		else if (s[i] == '\t')
			sb_puts(b, "\\t");
		else if (s[i] < 0x20 || s[i] == 0x7f)
			sb_hex(b, s[i]);
		else
			sb_put(b, v + i, 1);
	}
}

/*
 * A value for text (and list items in CSV): as written when it is plain
 * printable UTF-8 without blanks, quotes or backslashes (nor `,` for list
 * items); otherwise in double quotes with \" \\ \n \r \t and \xNN escapes, so
 * a hostile value can neither end its column nor its line.
 */
static void
text_value(struct sbuf *b, const char *v, bool list_item)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i, n;
	bool plain = s[0] != '\0';

	for (i = 0; s[i] != '\0'; i += n) {
		n = utf8_len(s + i);
		if (n == 0 || is_unsafe(s + i, n) || (n == 1 && (s[i] <= 0x20 || s[i] == 0x7f ||
		    s[i] == '"' || s[i] == '\\' || (list_item && s[i] == ',')))) {
			plain = false;
			break;
		}
	}
	if (plain) {
		sb_puts(b, v);
		return;
	}
	sb_put(b, "\"", 1);
	escape_value(b, v, true);
	sb_put(b, "\"", 1);
}

static void
list_value(struct sbuf *b, const struct ntk_audit_cell *c)
{
	size_t i;

	for (i = 0; i < c->nlist; i++) {
		if (i > 0)
			sb_put(b, ",", 1);
		text_value(b, c->list[i], true);
	}
}

/* Display width: code points (escaped text is valid UTF-8). */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static char *
text_cell(const struct ntk_audit_col *col, const struct ntk_audit_cell *c)
{
	struct sbuf b = { NULL, 0, 0, false };

	if (col->type == NTK_AUDIT_COL_LIST)
		list_value(&b, c);
	else if (col->type == NTK_AUDIT_COL_TIME && c->str != NULL)
		sb_puts(&b, c->str);
	else if (c->str != NULL)
		text_value(&b, c->str, false);
	if (b.len == 0)
		sb_puts(&b, "-");
	if (b.fail) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static void
text_line(struct ntk_audit_out *t, char **cells)
{
	size_t i, w, pad;

	for (i = 0; i < t->ncols; i++) {
		w = text_width(cells[i]);
		pad = t->width[i] > w ? t->width[i] - w : 0;
		if (t->cols[i].type == NTK_AUDIT_COL_NUM)
			fprintf(t->f, "%*s%s", (int)pad, "", cells[i]);
		else if (i + 1 == t->ncols)
			fputs(cells[i], t->f);
		else
			fprintf(t->f, "%s%*s", cells[i], (int)pad, "");
		fputs(i + 1 == t->ncols ? "\n" : "  ", t->f);
	}
}

/* Header and the rows held for sizing, once; after that rows go straight out. */
static int
text_flush(struct ntk_audit_out *t)
{
	char **hdr;
	size_t i, r;
	int rc = 0;

	if (t->header_done)
		return 0;
	t->header_done = true;
	if ((hdr = calloc(t->ncols, sizeof(*hdr))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < t->ncols; i++) {
		if ((hdr[i] = strdup(t->cols[i].name)) == NULL) {
			rc = NTK_ERR_NOMEM;
			goto out;
		}
		for (char *p = hdr[i]; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (text_width(hdr[i]) > t->width[i])
			t->width[i] = text_width(hdr[i]);
	}
	if (t->npending > 0)
		text_line(t, hdr);
	for (r = 0; r < t->npending; r++)
		text_line(t, t->pending + r * t->ncols);
out:
	for (i = 0; i < t->ncols; i++)
		free(hdr[i]);
	free(hdr);
	for (r = 0; r < t->npending * t->ncols; r++)
		free(t->pending[r]);
	t->npending = 0;
	return rc;
}

static int
text_row(struct ntk_audit_out *t, const struct ntk_audit_cell *cells)
{
	char **row;
	size_t i, w;
	int r = 0;

	if (t->header_done) {
		if ((row = calloc(t->ncols, sizeof(*row))) == NULL)
			return NTK_ERR_NOMEM;
		for (i = 0; i < t->ncols && r == 0; i++)
			if ((row[i] = text_cell(&t->cols[i], &cells[i])) == NULL)
				r = NTK_ERR_NOMEM;
		if (r == 0)
			text_line(t, row);
		for (i = 0; i < t->ncols; i++)
			free(row[i]);
		free(row);
		return r;
	}
	row = t->pending + t->npending * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		if ((row[i] = text_cell(&t->cols[i], &cells[i])) == NULL) {
			while (i-- > 0)
				free(row[i]);
			return NTK_ERR_NOMEM;
		}
		w = text_width(row[i]);
		if (w > TEXT_MAX_WIDTH && t->cols[i].type != NTK_AUDIT_COL_TIME)
			w = TEXT_MAX_WIDTH;
		if (w > t->width[i])
			t->width[i] = w;
	}
	if (++t->npending == TEXT_SIZING_ROWS)
		return text_flush(t);
	return 0;
}

/*
 * CSV per RFC 4180 (LF line ends): a field holding a comma or quote is
 * quoted and its quotes doubled. Text values are escaped as in text (so no
 * raw CR, LF or other control reaches a spreadsheet or a SIEM), and one
 * starting with = + - @ TAB or CR gets a leading ' so a spreadsheet shows
 * it rather than running it.
 */
static int
csv_field(FILE *f, const char *v, bool untrusted, bool guard)
{
	struct sbuf b = { NULL, 0, 0, false };
	bool formula = guard && v[0] != '\0' && strchr("=+-@\t\r", v[0]) != NULL;
	const char *p;

	if (untrusted) {
		sb_puts(&b, "");
		escape_value(&b, v, false);
		if (b.fail) {
			free(b.p);
			return NTK_ERR_NOMEM;
		}
		v = b.p;
	}
	if (strpbrk(v, ",\"\r\n") != NULL) {
		fputc('"', f);
		if (formula)
			fputc('\'', f);
		for (p = v; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		if (formula)
			fputc('\'', f);
		fputs(v, f);
	}
	free(b.p);
	return 0;
}

static int
csv_row(struct ntk_audit_out *t, const struct ntk_audit_cell *cells)
{
	struct sbuf b = { NULL, 0, 0, false };
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		if (i > 0)
			fputc(',', t->f);
		if (t->cols[i].type == NTK_AUDIT_COL_LIST) {
			b.len = 0;
			sb_puts(&b, "");
			list_value(&b, &cells[i]);
			if (b.fail) {
				free(b.p);
				return NTK_ERR_NOMEM;
			}
			/* items are escaped already; only the formula guard and quoting remain */
			if (csv_field(t->f, b.p, false, true) != 0) {
				free(b.p);
				return NTK_ERR_NOMEM;
			}
		} else if (cells[i].str != NULL &&
		    csv_field(t->f, cells[i].str, t->cols[i].type == NTK_AUDIT_COL_STR,
		    t->cols[i].type == NTK_AUDIT_COL_STR) != 0) {
			free(b.p);
			return NTK_ERR_NOMEM;
		}
	}
	fputc('\n', t->f);
	free(b.p);
	return 0;
}

/* A JSON string: quotes, backslashes and controls escaped, UTF-8 passed, bad bytes U+FFFD. */
static void
json_str(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n;

	fputc('"', f);
	for (; *s != '\0'; s += n) {
		n = utf8_len(s);
		if (n == 0) {
			fputs("\\ufffd", f);
			n = 1;
		} else if (n > 1)
			fwrite(s, 1, n, f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int
json_row(struct ntk_audit_out *t, const struct ntk_audit_cell *cells)
{
	size_t i, j;

	if (t->fmt == NTK_AUDIT_NDJSON)
		fputc('{', t->f);
	else
		fputs(t->rows == 0 ? "[\n  {" : ",\n  {", t->f);
	for (i = 0; i < t->ncols; i++) {
		if (i > 0)
			fputs(", ", t->f);
		json_str(t->f, t->cols[i].name);
		fputs(": ", t->f);
		switch (t->cols[i].type) {
		case NTK_AUDIT_COL_LIST:
			fputc('[', t->f);
			for (j = 0; j < cells[i].nlist; j++) {
				if (j > 0)
					fputs(", ", t->f);
				json_str(t->f, cells[i].list[j]);
			}
			fputc(']', t->f);
			break;
		case NTK_AUDIT_COL_NUM:
			fputs(cells[i].str && cells[i].str[0] ? cells[i].str : "null", t->f);
			break;
		case NTK_AUDIT_COL_BOOL:
			fputs(cells[i].str && strcmp(cells[i].str, "yes") == 0 ? "true" : "false", t->f);
			break;
		default:
			if (cells[i].str == NULL)
				fputs("null", t->f);
			else
				json_str(t->f, cells[i].str);
		}
	}
	fputs(t->fmt == NTK_AUDIT_NDJSON ? "}\n" : "}", t->f);
	return 0;
}

int
ntk_audit_out_begin(FILE *f, enum ntk_audit_format fmt, const struct ntk_audit_col *cols,
    size_t ncols, struct ntk_audit_out **out)
{
	struct ntk_audit_out *t;
	size_t i;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NTK_ERR_NOMEM;
	t->f = f;
	t->fmt = fmt;
	t->cols = cols;
	t->ncols = ncols;
	if (fmt == NTK_AUDIT_TEXT) {
		t->pending = calloc(ncols * TEXT_SIZING_ROWS, sizeof(*t->pending));
		t->width = calloc(ncols, sizeof(*t->width));
		if (t->pending == NULL || t->width == NULL) {
			ntk_audit_out_free(t);
			return NTK_ERR_NOMEM;
		}
	} else if (fmt == NTK_AUDIT_CSV) {
		/* the header always, so an empty result is still a valid table */
		for (i = 0; i < ncols; i++) {
			if (i > 0)
				fputc(',', f);
			fputs(cols[i].name, f);
		}
		fputc('\n', f);
	}
	*out = t;
	return 0;
}

int
ntk_audit_out_row(struct ntk_audit_out *t, const struct ntk_audit_cell *cells)
{
	int r;

	switch (t->fmt) {
	case NTK_AUDIT_TEXT:
		r = text_row(t, cells);
		break;
	case NTK_AUDIT_CSV:
		r = csv_row(t, cells);
		break;
	default:
		r = json_row(t, cells);
	}
	if (r == 0)
		t->rows++;
	return r;
}

long
ntk_audit_out_end(struct ntk_audit_out *t)
{
	long rows = t->rows;
	int r = 0;

	if (t->fmt == NTK_AUDIT_TEXT)
		r = text_flush(t);
	else if (t->fmt == NTK_AUDIT_JSON)
		fputs(rows == 0 ? "[]\n" : "\n]\n", t->f);
	if (fflush(t->f) != 0 || ferror(t->f))
		r = NTK_ERR_IO;
	ntk_audit_out_free(t);
	return r != 0 ? r : rows;
}

void
ntk_audit_out_free(struct ntk_audit_out *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; t->pending != NULL && i < t->npending * t->ncols; i++)
		free(t->pending[i]);
	free(t->pending);
	free(t->width);
	free(t);
}
