/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing of ntkCaseAssignment values, case ids and civil dates. */
#include <stdlib.h>
#include <string.h>

#include "ntk_assignment.h"
#include "ntk_err.h"

#define NTK_SYSTEM_NAME_MAX 64  /* system and role names, as in ntk.conf */
#define NTK_YEAR_MIN 1970
#define NTK_YEAR_MAX 9999

static bool
is_alnum(char c)
{
	/* Not isalnum(): that follows the locale, and ids are plain ASCII. */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

bool
ntk_case_id_valid(const char *id)
{
	size_t i;

	if (id == NULL || id[0] == '\0')
		return false;
	for (i = 0; id[i] != '\0'; i++) {
		if (i >= NTK_CASE_ID_MAX)
			return false;
		if (!is_alnum(id[i]) && id[i] != '.' && id[i] != '_' &&
		    id[i] != ':' && id[i] != '-')
			return false;
	}
	return true;
}

bool
ntk_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > NTK_SYSTEM_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	}
	return true;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Leap years in 1..y-1 (proleptic Gregorian). */
static int32_t
leaps_before(int y)
{
	int p = y - 1;

	return p / 4 - p / 100 + p / 400;
}

/* Days from 1970-01-01 to January 1st of year y (y >= 1970). */
static int32_t
year_start(int y)
{
	return 365 * (int32_t)(y - NTK_YEAR_MIN) + leaps_before(y) -
	    leaps_before(NTK_YEAR_MIN);
}

static int32_t
days_from_civil(int y, int m, int d)
{
	int32_t days = year_start(y);
	int i;

	for (i = 1; i < m; i++)
		days += days_in_month(y, i);
	return days + d - 1;
}

static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
ntk_date_parse(const char *s, int32_t *days)
{
	int y, m, d;

	if (s == NULL || days == NULL || strlen(s) != 10 || s[4] != '-' ||
	    s[7] != '-')
		return NTK_ERR_BAD_VALUE;
	y = digits(s, 4);
	m = digits(s + 5, 2);
	d = digits(s + 8, 2);
	if (y < NTK_YEAR_MIN || y > NTK_YEAR_MAX || m < 1 || m > 12 ||
	    d < 1 || d > days_in_month(y, m))
		return NTK_ERR_BAD_VALUE;
	*days = days_from_civil(y, m, d);
	return 0;
}

static void
put_digits(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
ntk_date_format(int32_t days, char buf[11])
{
	int y, m;

	/*
	 * Out of range cannot be printed in 10 characters: anything past
	 * 9999-12-31 (NTK_NO_END included) is shown as that day, a negative
	 * count as the impossible 0000-00-00.
	 */
	if (days < 0) {
		memcpy(buf, "0000-00-00", 11);
		return;
	}
	if (days > days_from_civil(NTK_YEAR_MAX, 12, 31))
		days = days_from_civil(NTK_YEAR_MAX, 12, 31);

	/* Estimate the year from below, then step forward. */
	y = NTK_YEAR_MIN + days / 366;
	while (y < NTK_YEAR_MAX && year_start(y + 1) <= days)
		y++;
	days -= year_start(y);
	for (m = 1; days >= days_in_month(y, m); m++)
		days -= days_in_month(y, m);

	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, (int)days + 1, 2);
	buf[10] = '\0';
}

bool
ntk_assignment_active(const struct ntk_assignment *a, const char *system, int32_t today)
{
	/* A cleared (never parsed) assignment has an empty id: it grants nothing. */
	if (a == NULL || a->case_id[0] == '\0')
		return false;
	if (a->system != NULL && (system == NULL || strcmp(a->system, system) != 0))
		return false;
	return today <= a->until;
}

/* Does the segment [s, s+len) start with "name="? */
static bool
param_is(const char *s, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && memcmp(s, name, n) == 0 && s[n] == '=';
}

int
ntk_assignment_parse(const char *value, struct ntk_assignment *out, const char **why)
{
	const char *w = NULL, *seg, *end, *v;
	bool seen_system = false, seen_until = false, seen_access = false;
	char date[11];
	size_t len, vlen;
	int r = NTK_ERR_BAD_VALUE;

	if (out == NULL) {
		w = "no output";
		goto out;
	}
	memset(out, 0, sizeof(*out));
	out->until = NTK_NO_END;
	if (value == NULL || value[0] == '\0') {
		w = "empty value";
		goto out;
	}
	for (v = value; *v != '\0'; v++) {
		/* Spaces would make "X; until=..." look valid to a reader only. */
		if (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' ||
		    *v == '\v' || *v == '\f') {
			w = "value holds whitespace";
			goto out;
		}
	}

	end = strchr(value, ';');
	len = end != NULL ? (size_t)(end - value) : strlen(value);
	if (len == 0) {
		w = "empty case id";
		goto out;
	}
	if (len > NTK_CASE_ID_MAX) {
		w = "case id longer than 64 characters";
		goto out;
	}
	memcpy(out->case_id, value, len);
	out->case_id[len] = '\0';
	if (!ntk_case_id_valid(out->case_id)) {
		w = "case id holds a character outside [A-Za-z0-9._:-]";
		goto out;
	}

	while (end != NULL) {
		seg = end + 1;
		end = strchr(seg, ';');
		len = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if (len == 0) {
			w = "empty parameter (stray ';')";
			goto out;
		}
		if (param_is(seg, len, "system")) {
			if (seen_system) {
				w = "repeated parameter system";
				goto out;
			}
			seen_system = true;
			vlen = len - 7;
			if (!ntk_name_valid(seg + 7, vlen)) {
				w = "system must match [A-Za-z0-9._-]{1,64}";
				goto out;
			}
			if ((out->system = strndup(seg + 7, vlen)) == NULL) {
				r = NTK_ERR_NOMEM;
				w = "out of memory";
				goto out;
			}
		} else if (param_is(seg, len, "until")) {
			if (seen_until) {
				w = "repeated parameter until";
				goto out;
			}
			seen_until = true;
			vlen = len - 6;
			if (vlen != 10) {
				w = "until must be a date YYYY-MM-DD";
				goto out;
			}
			memcpy(date, seg + 6, 10);
			date[10] = '\0';
			if (ntk_date_parse(date, &out->until) != 0) {
				w = "until must be a date YYYY-MM-DD";
				goto out;
			}
		} else if (param_is(seg, len, "access")) {
			if (seen_access) {
				w = "repeated parameter access";
				goto out;
			}
			seen_access = true;
			if (len != 11 || memcmp(seg + 7, "read", 4) != 0) {
				w = "access must be read";
				goto out;
			}
			out->read_only = true;
		} else {
			/* It may be a restriction we do not know: never ignore it. */
			w = "unknown parameter";
			goto out;
		}
	}
	r = 0;
 out:
	if (r != 0 && out != NULL) {
		free(out->system);
		memset(out, 0, sizeof(*out));
	}
	if (why != NULL)
		*why = w;
	return r;
}
