/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which files `ntkctl audit` reads: auditd's log and its rotations, or the files named, and their gaps. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ntk_err.h"
#include "ntk_audit.h"

#define AUDITD_CONF "/etc/audit/auditd.conf"
#define MAX_ROTATION 9999

/*
 * NTK_AUDITD_CONF points at another auditd.conf (a collector's, a test's);
 * secure_getenv: ignored should ntkctl ever run setuid.
 */
static const char *
auditd_conf_path(void)
{
	const char *p = secure_getenv("NTK_AUDITD_CONF");

	return p != NULL && p[0] != '\0' ? p : AUDITD_CONF;
}

/* The value of `key` in auditd.conf (last one wins), or NULL. */
static int
auditd_conf_value(const char *key, char **out)
{
	char line[4096], *p, *e;
	size_t n = strlen(key);
	FILE *f;

	*out = NULL;
	if ((f = fopen(auditd_conf_path(), "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line + strspn(line, " \t");
		if (strncmp(p, key, n) != 0)
			continue;
		p += n;
		p += strspn(p, " \t");
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " \t");
		e = p + strcspn(p, " \t\r\n");
		*e = '\0';
		free(*out);
		if ((*out = strdup(p)) == NULL) {
			fclose(f);
			return NTK_ERR_NOMEM;
		}
	}
	fclose(f);
	return 0;
}

/* auditd.conf's log_group (default root), to tell an analyst which group may read the log. */
int
ntk_audit_log_group(char *buf, size_t len)
{
	char *g = NULL;
	int r;

	if ((r = auditd_conf_value("log_group", &g)) != 0)
		return r;
	snprintf(buf, len, "%s", g != NULL && g[0] != '\0' ? g : "root");
	free(g);
	return 0;
}

void
ntk_audit_logs_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* N when `name` is `base`.N or `base`.N.gz (N in 1..MAX_ROTATION), else 0. */
static long
rotation_of(const char *name, const char *base)
{
	size_t n = strlen(base), d;
	long v = 0;

	if (strncmp(name, base, n) != 0 || name[n] != '.')
		return 0;
	name += n + 1;
	d = strspn(name, "0123456789");
	if (d == 0 || d > 4 || name[0] == '0' || (name[d] != '\0' && strcmp(name + d, ".gz") != 0))
		return 0;
	for (n = 0; n < d; n++)
		v = v * 10 + (name[n] - '0');
	return v;
}

/*
 * auditd's log_file with every rotation it keeps, oldest (highest number)
 * first, as ausearch reads them; a rotation may have been gzipped. A number
 * missing between 1 and the highest is a gap: said, and the rest read.
 */
static int
default_logs(char ***out, bool *incomplete)
{
	char *path = NULL, *dir = NULL, *base, *slash, **v = NULL, name[4200];
	unsigned char *have = NULL;    /* 1: plain, 2: .gz */
	long top = 0, k, i;
	size_t n = 0;
	struct dirent *de;
	DIR *d = NULL;
	int r;

	if ((r = auditd_conf_value("log_file", &path)) != 0)
		return r;
	if (path == NULL && (path = strdup("/var/log/audit/audit.log")) == NULL)
		return NTK_ERR_NOMEM;
	if ((dir = strdup(path)) == NULL || (have = calloc(MAX_ROTATION + 1, 1)) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	slash = strrchr(dir, '/');
	base = slash != NULL ? slash + 1 : dir;
	if (slash != NULL)
		*slash = '\0';
	/* An unreadable directory leaves only log_file, whose open then says why. */
	if ((d = opendir(slash == NULL ? "." : slash == dir ? "/" : dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if ((k = rotation_of(de->d_name, base)) == 0)
				continue;
			have[k] |= strstr(de->d_name + strlen(base) + 1, ".gz") ? 2 : 1;
			if (k > top)
				top = k;
		}
	}
	if ((v = calloc((size_t)top + 2, sizeof(*v))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = top; i >= 1; i--) {
		if (have[i] == 0) {
			fprintf(stderr, "ntkctl audit: %s.%ld is missing (the rotations have a gap: "
			    "its records are not in this report)\n", path, i);
			*incomplete = true;
			continue;
		}
		snprintf(name, sizeof(name), "%s.%ld%s", path, i, have[i] & 1 ? "" : ".gz");
		if ((v[n++] = strdup(name)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
	}
	v[n++] = path;
	path = NULL;
	*out = v;
	v = NULL;
out:
	if (d != NULL)
		closedir(d);
	ntk_audit_logs_free(v);
	free(have);
	free(dir);
	free(path);
	return r;
}

/* The log a rotation belongs to: "X" for "X.N" or "X.N.gz" (caller frees), or NULL. */
static char *
rotation_base(const char *name)
{
	const char *e = name + strlen(name), *p;

	if (e - name > 3 && strcmp(e - 3, ".gz") == 0)
		e -= 3;
	for (p = e; p > name && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == e || p - 1 <= name || p[-1] != '.')
		return NULL;
	return strndup(name, (size_t)(p - 1 - name));
}

/*
 * Files named with --input are read in the order given. Rotations of one log
 * (X, X.1, X.2.gz ...) must not skip a number between the lowest and the
 * highest named (X itself counts as 0): a skipped one is said, once per log.
 */
static void
input_gaps(const struct ntk_audit_opts *o, bool *incomplete)
{
	char *base, *other;
	long lo, hi, k, v;
	size_t i, j;
	bool first, seen;

	for (i = 0; i < o->ninputs; i++) {
		if ((base = rotation_base(o->inputs[i])) == NULL)
			continue;
		first = true;
		lo = hi = -1;
		for (j = 0; j < o->ninputs; j++) {
			if (strcmp(o->inputs[j], base) == 0)
				v = 0;
			else if ((v = rotation_of(o->inputs[j], base)) == 0)
				continue;
			if (v > 0 && j < i && (other = rotation_base(o->inputs[j])) != NULL) {
				first = first && strcmp(other, base) != 0;
				free(other);
			}
			lo = lo < 0 || v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		for (k = lo + 1; first && k < hi; k++) {
			seen = false;
			for (j = 0; j < o->ninputs && !seen; j++)
				seen = rotation_of(o->inputs[j], base) == k;
			if (!seen) {
				fprintf(stderr, "ntkctl audit: %s.%ld is not among the files named "
				    "(a gap in the rotations: its records are not in this report)\n",
				    base, k);
				*incomplete = true;
			}
		}
		free(base);
	}
}

/* The files to read, NULL-terminated; "-" is standard input. */
int
ntk_audit_logs(const struct ntk_audit_opts *o, char ***out, bool *incomplete)
{
	char **v;
	size_t i;

	*incomplete = false;
	if (o->ninputs == 0)
		return default_logs(out, incomplete);
	if ((v = calloc(o->ninputs + 1, sizeof(*v))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < o->ninputs; i++) {
		if ((v[i] = strdup(o->inputs[i])) == NULL) {
			ntk_audit_logs_free(v);
			return NTK_ERR_NOMEM;
		}
	}
	input_gaps(o, incomplete);
	*out = v;
	return 0;
}
