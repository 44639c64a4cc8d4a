/* StrictModes for ntkd: the config and the directories above it may be changed only by root or ntkd's uid. */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntk_config_perm.h"
#include "ntk_err.h"

int
ntk_perm_check_stat(const struct stat *st, bool sticky_ok, char *why, size_t whylen)
{
	uid_t self = geteuid();

	if (st->st_uid != 0 && st->st_uid != self) {
		if (self == 0)
			snprintf(why, whylen, "owned by uid %lu; it must be owned by root",
			    (unsigned long)st->st_uid);
		else
			snprintf(why, whylen, "owned by uid %lu; it must be owned by root or by "
			    "uid %lu, which runs ntkd", (unsigned long)st->st_uid, (unsigned long)self);
		return NTK_ERR_CONFIG;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !(sticky_ok && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) != 0)) {
		snprintf(why, whylen, "writable by group or others (mode %04o)",
		    (unsigned)(st->st_mode & 07777));
		return NTK_ERR_CONFIG;
	}
	return 0;
}

/*
 * `dir` (absolute, resolved) and each directory above it up to /. The
 * first one, the file's own directory, may not be sticky and writable by
 * others: anyone could then create the file before root does.
 */
static int
check_dirs(const char *path, const char *dir, char *err, size_t errlen)
{
	char *copy, *p, why[128];
	struct stat st;
	bool first = true;
	int r = 0;

	if ((copy = strdup(dir)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NTK_ERR_NOMEM;
	}
	for (p = copy;; first = false) {
		if (stat(p, &st) != 0) {
			snprintf(err, errlen, "%s: cannot stat directory %s: %s", path, p, strerror(errno));
			r = NTK_ERR_CONFIG;
			break;
		}
		if ((r = ntk_perm_check_stat(&st, !first, why, sizeof(why))) != 0) {
			snprintf(err, errlen, "%s: directory %s is %s", path, p, why);
			break;
		}
		if (strcmp(p, "/") == 0)
			break;
		/* dirname() of an absolute path without trailing slash stays absolute. */
		p = dirname(p);
	}
	free(copy);
	return r;
}

int
ntk_config_perm_check(const char *path, char *err, size_t errlen)
{
	char *real = NULL, *given = NULL, *givendir = NULL, *realdir = NULL, why[128];
	const char *rd;
	struct stat st;
	int r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((real = realpath(path, NULL)) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		r = NTK_ERR_CONFIG;
		goto out;
	}
	if (stat(real, &st) != 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		r = NTK_ERR_CONFIG;
		goto out;
	}
	if ((r = ntk_perm_check_stat(&st, false, why, sizeof(why))) != 0) {
		if (strcmp(real, path) == 0)
			snprintf(err, errlen, "%s: %s", path, why);
		else
			snprintf(err, errlen, "%s: %s (as %s)", path, why, real);
		goto out;
	}
	if ((realdir = strdup(real)) == NULL || (given = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		r = NTK_ERR_NOMEM;
		goto out;
	}
	rd = dirname(realdir);
	if ((r = check_dirs(path, rd, err, errlen)) != 0)
		goto out;
	/* A symlink's own directory decides what the name points to. */
	if ((givendir = realpath(dirname(given), NULL)) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		r = NTK_ERR_CONFIG;
		goto out;
	}
	if (strcmp(givendir, rd) != 0)
		r = check_dirs(path, givendir, err, errlen);
 out:
	free(real);
	free(realdir);
	free(given);
	free(givendir);
	return r;
}
