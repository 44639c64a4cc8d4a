/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ntkctl audit` options: the command line, ausearch-like time words, the config's threshold. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "ntk_config.h"
#include "ntk_err.h"
#include "ntk_audit.h"

void
ntk_audit_usage(FILE *f)
{
	fputs("usage: ntkctl audit [--summary [--by case] | --list | --browsing | --break-glass]\n"
	    "         [--unreviewed] [--format text|csv|json|ndjson] [--top N]\n"
	    "         [--since TIME] [--until TIME] [--user U] [--system S] [--case C]\n"
	    "         [--reason R] [--node N] [--denied | --allowed] [--threshold N]\n"
	    "         [--gap MINUTES] [--input FILE... | --input -]\n"
	    "  TIME: now, recent, this-hour, boot, today, yesterday, this-week, week-ago,\n"
	    "        this-month, this-year, MM/DD/YYYY [HH:MM[:SS]], YYYY-MM-DD [HH:MM[:SS]],\n"
	    "        HH:MM[:SS] (today), @EPOCH, ISO 8601 with a zone (2026-11-21T09:30:00+01:00, ...Z)\n"
	    "  exit: 0 results, 1 none, 2 error, 3 results from incomplete input (a gap)\n", f);
}

/* A decimal number of exactly `len` digits (len 0: all of s) in [min, max]. */
static int
parse_num(const char *s, size_t len, long min, long max, long *out)
{
	long v = 0;
	size_t i;

	if (len == 0)
		len = strlen(s);
	if (len == 0 || len > 10)
		return NTK_ERR_BAD_VALUE;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return NTK_ERR_BAD_VALUE;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > max)
		return NTK_ERR_BAD_VALUE;
	*out = v;
	return 0;
}

/* "HH:MM" or "HH:MM:SS" into tm. */
static int
parse_clock(const char *s, struct tm *tm)
{
	long h, m, sec = 0;
	size_t n = strlen(s);

	if (n != 5 && n != 8)
		return NTK_ERR_BAD_VALUE;
	if (s[2] != ':' || (n == 8 && s[5] != ':'))
		return NTK_ERR_BAD_VALUE;
	if (parse_num(s, 2, 0, 23, &h) != 0 || parse_num(s + 3, 2, 0, 59, &m) != 0 ||
	    (n == 8 && parse_num(s + 6, 2, 0, 60, &sec) != 0))
		return NTK_ERR_BAD_VALUE;
	tm->tm_hour = (int)h;
	tm->tm_min = (int)m;
	tm->tm_sec = (int)sec;
	return 0;
}

static bool
looks_like_clock(const char *s)
{
	struct tm tm;

	return s != NULL && parse_clock(s, &tm) == 0;
}

/* MM/DD/YYYY, MM/DD/YY (the C locale's %x, as ausearch takes) or YYYY-MM-DD. */
static int
parse_date(const char *s, struct tm *tm)
{
	long y, mo, d;
	size_t n = strlen(s);

	if (n == 10 && s[4] == '-' && s[7] == '-') {
		if (parse_num(s, 4, 1970, 9999, &y) != 0 || parse_num(s + 5, 2, 1, 12, &mo) != 0 ||
		    parse_num(s + 8, 2, 1, 31, &d) != 0)
			return NTK_ERR_BAD_VALUE;
	} else if ((n == 10 || n == 8) && s[2] == '/' && s[5] == '/') {
		if (parse_num(s, 2, 1, 12, &mo) != 0 || parse_num(s + 3, 2, 1, 31, &d) != 0 ||
		    parse_num(s + 6, n - 6, 0, 9999, &y) != 0)
			return NTK_ERR_BAD_VALUE;
		if (n == 8)
			y += 2000;
		if (y < 1970)
			return NTK_ERR_BAD_VALUE;
	} else
		return NTK_ERR_BAD_VALUE;
	tm->tm_year = (int)y - 1900;
	tm->tm_mon = (int)mo - 1;
	tm->tm_mday = (int)d;
	return 0;
}

static int
make_time(struct tm *tm, time_t *out)
{
	time_t t;

	tm->tm_isdst = -1;
	t = mktime(tm);
	if (t == (time_t)-1)
		return NTK_ERR_BAD_VALUE;
	*out = t;
	return 0;
}

static int
boot_time(time_t now, time_t *out)
{
	FILE *f = fopen("/proc/uptime", "re");
	double up;
	int n;

	if (f == NULL)
		return NTK_ERR_IO;
	n = fscanf(f, "%lf", &up);
	fclose(f);
	if (n != 1 || up < 0)
		return NTK_ERR_BAD_VALUE;
	*out = now - (time_t)up;
	return 0;
}

/* "Z", "+HH:MM", "+HHMM" or "+HH" into seconds east of UTC. */
static int
parse_zone(const char *z, long *off)
{
	long h, m = 0;
	size_t n = strlen(z);

	if (strcmp(z, "Z") == 0 || strcmp(z, "z") == 0) {
		*off = 0;
		return 0;
	}
	if ((z[0] != '+' && z[0] != '-') || (n != 3 && n != 5 && n != 6))
		return NTK_ERR_BAD_VALUE;
	if (parse_num(z + 1, 2, 0, 23, &h) != 0)
		return NTK_ERR_BAD_VALUE;
	if (n == 6 && (z[3] != ':' || parse_num(z + 4, 2, 0, 59, &m) != 0))
		return NTK_ERR_BAD_VALUE;
	if (n == 5 && parse_num(z + 3, 2, 0, 59, &m) != 0)
		return NTK_ERR_BAD_VALUE;
	*off = (h * 3600 + m * 60) * (z[0] == '-' ? -1 : 1);
	return 0;
}

/*
 * ISO 8601 with a zone: YYYY-MM-DDTHH:MM[:SS[.fff]] then Z or an offset
 * (fractions are dropped: the filters work in whole seconds). 1: not this form.
 */
static int
parse_iso_zoned(const char *w, time_t *out)
{
	char clock[16];
	const char *z;
	struct tm tm, want;
	size_t n;
	long off;
	time_t t;

	if (strlen(w) < 17 || (w[10] != 'T' && w[10] != 't' && w[10] != ' '))
		return 1;
	z = w + 11 + strspn(w + 11, "0123456789:.");
	if (*z == '\0')
		return 1;                      /* no zone: local time, the other forms */
	memset(&tm, 0, sizeof(tm));
	n = (size_t)(z - (w + 11));
	if (n >= sizeof(clock) || parse_zone(z, &off) != 0)
		return NTK_ERR_BAD_VALUE;
	memcpy(clock, w + 11, n);
	clock[n] = '\0';
	if (n > 8 && clock[8] == '.' && strspn(clock + 9, "0123456789") == n - 9 && n > 9)
		clock[8] = '\0';
	{
		char date[11];

		memcpy(date, w, 10);
		date[10] = '\0';
		if (date[4] != '-' || parse_date(date, &tm) != 0 || parse_clock(clock, &tm) != 0)
			return NTK_ERR_BAD_VALUE;
	}
	want = tm;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon)
		return NTK_ERR_BAD_VALUE;
	*out = t - off;
	return 0;
}

/*
 * One point in time, as ausearch's -ts/-te take it: a word or a date, and an
 * optional clock (`clock` may be NULL; a date without one means midnight).
 * Day words mean midnight (ausearch uses one second after; we keep the whole day).
 */
int
ntk_audit_parse_time(const char *word, const char *clock, time_t now, time_t *out)
{
	struct tm tm, want;
	char date[32];
	const char *sep;
	long epoch;
	bool day_word = true;
	int r;

	if (localtime_r(&now, &tm) == NULL)
		return NTK_ERR_INTERNAL;
	if (clock == NULL && (r = parse_iso_zoned(word, out)) <= 0)
		return r;
	if (strcmp(word, "now") == 0 || strcmp(word, "recent") == 0 ||
	    strcmp(word, "boot") == 0 || word[0] == '@' || strcmp(word, "this-hour") == 0) {
		if (clock != NULL)
			return NTK_ERR_BAD_VALUE;
		if (strcmp(word, "now") == 0)
			*out = now;
		else if (strcmp(word, "recent") == 0)
			*out = now - 600;
		else if (strcmp(word, "boot") == 0)
			return boot_time(now, out);
		else if (word[0] == '@') {
			if (parse_num(word + 1, 0, 0, 9999999999L, &epoch) != 0)
				return NTK_ERR_BAD_VALUE;
			*out = (time_t)epoch;
		} else {
			tm.tm_min = tm.tm_sec = 0;
			return make_time(&tm, out);
		}
		return 0;
	}
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (strcmp(word, "today") == 0)
		;
	else if (strcmp(word, "yesterday") == 0)
		tm.tm_mday -= 1;
	else if (strcmp(word, "this-week") == 0)
		tm.tm_mday -= tm.tm_wday;      /* day 0 of the week, as in the C locale: Sunday */
	else if (strcmp(word, "week-ago") == 0)
		tm.tm_mday -= 7;
	else if (strcmp(word, "this-month") == 0)
		tm.tm_mday = 1;
	else if (strcmp(word, "this-year") == 0) {
		tm.tm_mday = 1;
		tm.tm_mon = 0;
	} else if (looks_like_clock(word) && clock == NULL) {
		return parse_clock(word, &tm) == 0 ? make_time(&tm, out) : NTK_ERR_BAD_VALUE;
	} else {
		day_word = false;
		/* "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS" in one word */
		sep = strpbrk(word, " T");
		if (sep != NULL) {
			if (clock != NULL || (size_t)(sep - word) >= sizeof(date))
				return NTK_ERR_BAD_VALUE;
			memcpy(date, word, (size_t)(sep - word));
			date[sep - word] = '\0';
			clock = sep + 1;
		} else {
			if (strlen(word) >= sizeof(date))
				return NTK_ERR_BAD_VALUE;
			strcpy(date, word);
		}
		if (parse_date(date, &tm) != 0)
			return NTK_ERR_BAD_VALUE;
	}
	if (clock != NULL && parse_clock(clock, &tm) != 0)
		return NTK_ERR_BAD_VALUE;
	want = tm;
	if ((r = make_time(&tm, out)) != 0)
		return r;
	/* mktime normalises: February 30 comes back as March, so refuse it */
	if (!day_word && (tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon))
		return NTK_ERR_BAD_VALUE;
	return 0;
}

static int
add_filter(const char **arr, size_t *n, const char *v, const char *opt)
{
	if (*n >= NTK_AUDIT_MAX_FILTER) {
		fprintf(stderr, "ntkctl audit: at most %d %s values\n", NTK_AUDIT_MAX_FILTER, opt);
		return NTK_ERR_TOO_LONG;
	}
	arr[(*n)++] = v;
	return 0;
}

enum { OPT_SINCE = 256, OPT_UNTIL, OPT_USER, OPT_SYSTEM, OPT_CASE, OPT_REASON, OPT_DENIED,
	OPT_ALLOWED, OPT_SUMMARY, OPT_LIST, OPT_BROWSING, OPT_THRESHOLD, OPT_FORMAT, OPT_INPUT,
	OPT_HELP, OPT_NODE, OPT_BY, OPT_TOP, OPT_BREAK_GLASS, OPT_UNREVIEWED, OPT_GAP };

static const struct option long_opts[] = {
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "system", required_argument, NULL, OPT_SYSTEM },
	{ "case", required_argument, NULL, OPT_CASE },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "denied", no_argument, NULL, OPT_DENIED },
	{ "allowed", no_argument, NULL, OPT_ALLOWED },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "browsing", no_argument, NULL, OPT_BROWSING },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "node", required_argument, NULL, OPT_NODE },
	{ "by", required_argument, NULL, OPT_BY },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "break-glass", no_argument, NULL, OPT_BREAK_GLASS },
	{ "unreviewed", no_argument, NULL, OPT_UNREVIEWED },
	{ "gap", required_argument, NULL, OPT_GAP },
	{ NULL, 0, NULL, 0 },
};

/* --since/--until take one word, or a date and a clock as two words (as ausearch does). */
static int
time_opt(int argc, char **argv, const char *name, time_t now, time_t *out)
{
	const char *clock = NULL;

	if (optind < argc && looks_like_clock(argv[optind]) && !looks_like_clock(optarg))
		clock = argv[optind++];
	if (ntk_audit_parse_time(optarg, clock, now, out) != 0) {
		fprintf(stderr, "ntkctl audit: --%s: bad time '%s%s%s' (use now, recent, this-hour, "
		    "boot, today, yesterday, this-week, week-ago, this-month, this-year, "
		    "MM/DD/YYYY [HH:MM:SS], YYYY-MM-DD [HH:MM:SS], HH:MM:SS, @EPOCH or ISO 8601 "
		    "with a zone, e.g. 2026-11-21T09:30:00+01:00)\n",
		    name, optarg, clock ? " " : "", clock ? clock : "");
		return NTK_ERR_BAD_VALUE;
	}
	return 0;
}

/* Fills `o` from argv (argv[0] is "audit"); messages on stderr. */
int
ntk_audit_parse_args(int argc, char **argv, struct ntk_audit_opts *o, time_t now)
{
	int c, r = 0, nviews = 0;
	long v;

	memset(o, 0, sizeof(*o));
	o->gap = NTK_AUDIT_DEFAULT_GAP;
	optind = 0;                            /* glibc: full reset, ntkctl may have used getopt */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SINCE:
			if ((r = time_opt(argc, argv, "since", now, &o->since)) != 0)
				goto out;
			o->have_since = true;
			break;
		case OPT_UNTIL:
			if ((r = time_opt(argc, argv, "until", now, &o->until)) != 0)
				goto out;
			o->have_until = true;
			break;
		case OPT_USER:
			if ((r = add_filter(o->users, &o->nusers, optarg, "--user")) != 0)
				goto out;
			break;
		case OPT_SYSTEM:
			if ((r = add_filter(o->systems, &o->nsystems, optarg, "--system")) != 0)
				goto out;
			break;
		case OPT_CASE:
			if ((r = add_filter(o->cases, &o->ncases, optarg, "--case")) != 0)
				goto out;
			break;
		case OPT_REASON:
			if ((r = add_filter(o->reasons, &o->nreasons, optarg, "--reason")) != 0)
				goto out;
			break;
		case OPT_NODE:
			if ((r = add_filter(o->nodes, &o->nnodes, optarg, "--node")) != 0)
				goto out;
			break;
		case OPT_BY:
			if (strcmp(optarg, "case") != 0) {
				fprintf(stderr, "ntkctl audit: --by: '%s' is not case\n", optarg);
				r = NTK_ERR_BAD_VALUE;
				goto out;
			}
			o->by = NTK_AUDIT_BY_CASE;
			break;
		case OPT_TOP:
		case OPT_GAP:
			if (parse_num(optarg, 0, 1, c == OPT_TOP ? 1000000000L : 525600L, &v) != 0) {
				fprintf(stderr, "ntkctl audit: --%s: '%s' is not a number in 1..%s\n",
				    c == OPT_TOP ? "top" : "gap", optarg,
				    c == OPT_TOP ? "1000000000" : "525600 (minutes)");
				r = NTK_ERR_BAD_VALUE;
				goto out;
			}
			if (c == OPT_TOP)
				o->top = (unsigned long)v;
			else
				o->gap = v * 60;
			break;
		case OPT_BREAK_GLASS:
			nviews++;
			o->view = NTK_AUDIT_BREAK_GLASS;
			break;
		case OPT_UNREVIEWED:
			o->unreviewed = true;
			break;
		case OPT_DENIED:
		case OPT_ALLOWED:
			if (o->result != NTK_AUDIT_ANY) {
				fprintf(stderr, "ntkctl audit: give --denied or --allowed, not both\n");
				r = NTK_ERR_BAD_VALUE;
				goto out;
			}
			o->result = c == OPT_DENIED ? NTK_AUDIT_DENIED_ONLY : NTK_AUDIT_ALLOWED_ONLY;
			break;
		case OPT_SUMMARY:
		case OPT_LIST:
		case OPT_BROWSING:
			nviews++;
			o->view = c == OPT_SUMMARY ? NTK_AUDIT_SUMMARY :
			    c == OPT_LIST ? NTK_AUDIT_LIST : NTK_AUDIT_BROWSING;
			break;
		case OPT_THRESHOLD:
			if (parse_num(optarg, 0, 1, NTK_AUDIT_CASE_CAP, &v) != 0) {
				fprintf(stderr, "ntkctl audit: --threshold: '%s' is not a number in 1..10000\n",
				    optarg);
				r = NTK_ERR_BAD_VALUE;
				goto out;
			}
			o->threshold = (unsigned)v;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				o->format = NTK_AUDIT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				o->format = NTK_AUDIT_CSV;
			else if (strcmp(optarg, "json") == 0)
				o->format = NTK_AUDIT_JSON;
			else if (strcmp(optarg, "ndjson") == 0)
				o->format = NTK_AUDIT_NDJSON;
			else {
				fprintf(stderr, "ntkctl audit: --format: '%s' is not text, csv, json or ndjson\n",
				    optarg);
				r = NTK_ERR_BAD_VALUE;
				goto out;
			}
			break;
		case OPT_INPUT:
			/* --input FILE... : this value and the plain words after it */
			if (o->inputs == NULL && (o->inputs = calloc((size_t)argc, sizeof(*o->inputs))) == NULL) {
				r = NTK_ERR_NOMEM;
				goto out;
			}
			o->inputs[o->ninputs++] = optarg;
			while (optind < argc && argv[optind][0] != '-')
				o->inputs[o->ninputs++] = argv[optind++];
			break;
		case 'h':
		case OPT_HELP:
			o->help = true;
			break;
		default:
			r = NTK_ERR_BAD_VALUE;
			goto out;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ntkctl audit: unexpected argument '%s'\n", argv[optind]);
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
	if (nviews > 1) {
		fprintf(stderr, "ntkctl audit: give one of --summary, --list, --browsing, --break-glass\n");
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
	/* --unreviewed alone means the break-glass view */
	if (o->unreviewed && nviews == 0)
		o->view = NTK_AUDIT_BREAK_GLASS;
	if (o->unreviewed && o->view != NTK_AUDIT_BREAK_GLASS) {
		fprintf(stderr, "ntkctl audit: --unreviewed goes with --break-glass\n");
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
	if (o->by == NTK_AUDIT_BY_CASE && o->view != NTK_AUDIT_SUMMARY) {
		fprintf(stderr, "ntkctl audit: --by case goes with --summary\n");
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
	if (o->ninputs > 1) {
		for (size_t i = 0; i < o->ninputs; i++) {
			if (strcmp(o->inputs[i], "-") == 0) {
				fprintf(stderr, "ntkctl audit: --input - (stdin) cannot be mixed with files\n");
				r = NTK_ERR_BAD_VALUE;
				goto out;
			}
		}
	}
	if (o->have_since && o->have_until && o->until < o->since) {
		fprintf(stderr, "ntkctl audit: --until is before --since\n");
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
out:
	if (r != 0) {
		free(o->inputs);
		o->inputs = NULL;
	}
	return r;
}

/* [audit] browsing_threshold from the config; missing or unreadable file: the default. */
unsigned
ntk_audit_config_threshold(const char *path, int *err)
{
	char *s = NULL, why[512];
	unsigned res = NTK_AUDIT_DEFAULT_THRESHOLD;
	FILE *f;
	long v;

	*err = 0;
	if (path == NULL)
		path = NTK_AUDIT_DEFAULT_CONFIG;
	/* An analyst may not be allowed to read the daemon's config: that is not an error. */
	if ((f = fopen(path, "re")) == NULL)
		return res;
	fclose(f);
	/* The same reader as ntkd's; a file it cannot read gives the default, as before. */
	if (ntk_config_peek(path, "audit", "browsing_threshold", &s, why, sizeof(why)) != 0)
		return res;
	if (s != NULL && parse_num(s, 0, 1, NTK_AUDIT_CASE_CAP, &v) != 0) {
		fprintf(stderr, "ntkctl audit: %s:audit:browsing_threshold: '%s' is not a number in 1..10000\n",
		    path, s);
		*err = NTK_ERR_CONFIG;
	} else if (s != NULL)
		res = (unsigned)v;
	free(s);
	return res;
}
