/* SPDX-License-Identifier: LGPL-2.1-or-later */
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

int
ntk_perm_check_dirs(const char *path, const char *dir, char *err, size_t errlen)
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

/* The absolute directory part of `path`, without resolving links; malloc'd, or NULL. */
static char *
lexical_dir(char *path)
{
	char cwd[PATH_MAX], *dir = dirname(path), *out;
	size_t len;

	if (dir[0] == '/')
		return strdup(dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (strcmp(dir, ".") == 0)
		return strdup(cwd);
	len = strlen(cwd) + strlen(dir) + 2;
	if ((out = malloc(len)) != NULL)
		snprintf(out, len, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, dir);
	return out;
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
	if ((r = ntk_perm_check_dirs(path, rd, err, errlen)) != 0)
		goto out;
	/*
	 * The name as given, not resolved: every directory on its way holds a
	 * name (a symlink, itself or in a parent) that decides what the path
	 * reaches, so each must be as safe as the file's own. stat() on each
	 * step still follows links to what they name.
	 */
	if ((givendir = lexical_dir(given)) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		r = NTK_ERR_CONFIG;
		goto out;
	}
	if (strcmp(givendir, rd) != 0)
		r = ntk_perm_check_dirs(path, givendir, err, errlen);
 out:
	free(real);
	free(realdir);
	free(given);
	free(givendir);
	return r;
}
