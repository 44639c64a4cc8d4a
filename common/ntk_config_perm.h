/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* StrictModes for ntkd: refuse a config, or a directory, that anyone but root or ntkd's user can change. */
#ifndef NTK_CONFIG_PERM_H
#define NTK_CONFIG_PERM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * May what `st` describes be trusted as changed only by root or by the
 * uid ntkd runs as (geteuid())? 0, or NTK_ERR_CONFIG with the reason
 * ("owned by uid N ...", "writable by group or others (mode 0777)") in
 * why. A sticky directory writable by others passes only when sticky_ok:
 * its entries cannot be renamed or removed by anyone but their owner.
 */
int ntk_perm_check_stat(const struct stat *st, bool sticky_ok, char *why, size_t whylen);

/*
 * `dir` (absolute) and each directory above it up to /, for the file
 * `path` (named in errors): each owned by root or ntkd's uid and writable by
 * no one else. The first, the file's own directory, may not be sticky and
 * writable by others (anyone could create the file before root does); the
 * ones above may (/tmp). 0, or NTK_ERR_CONFIG (NTK_ERR_NOMEM) with
 * "PATH: directory D is ..." in err.
 */
int ntk_perm_check_dirs(const char *path, const char *dir, char *err, size_t errlen);

/*
 * The config file `path` and every directory above it (the file resolved
 * and, when a symlink, the directory holding the link too): each owned by
 * root or ntkd's uid and writable by no one else. Directories above the
 * file's own may be sticky and world-writable (/tmp). 0, or
 * NTK_ERR_CONFIG (NTK_ERR_NOMEM) with "FILE: reason" in err, the format
 * of ntk_config_load's whole-file errors.
 */
int ntk_config_perm_check(const char *path, char *err, size_t errlen);

#endif /* NTK_CONFIG_PERM_H */
