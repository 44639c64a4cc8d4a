/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd -t: check a config against the live directory before go-live. */
#ifndef NTKD_GOLIVE_H
#define NTKD_GOLIVE_H

/*
 * Load `path` as ntkd would, bind to each URI in turn, check that base
 * exists, show what `user` (when not NULL) would be granted on each system,
 * and list role names in the directory that match no [role:] section. One
 * line per finding on stdout ("ok:", "info:", "warning:", "error:").
 * Returns the exit status: 0 clean, 1 warnings, 2 errors.
 */
int ntkd_golive(const char *path, const char *user);

#endif /* NTKD_GOLIVE_H */
