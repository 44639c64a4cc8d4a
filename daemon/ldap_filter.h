/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LDAP search filters built from untrusted values: RFC 4515 escaping and the filters ntkd sends. */
#ifndef NTKD_LDAP_FILTER_H
#define NTKD_LDAP_FILTER_H

#include <stddef.h>

/*
 * Every function returns 0 and a malloc'd string in *out, or a negative
 * NTK_ERR_* with *out set to NULL. Values are escaped per RFC 4515: `*`, `(`,
 * `)`, `\`, and every byte outside printable ASCII (controls, DEL, UTF-8
 * bytes) become \XX, so a value can only ever be an assertion value, never
 * filter syntax or a wildcard. Attribute names and templates come from the
 * config (trusted) and are copied as they are.
 */

/* The escaped form of `value`. */
int ntkd_ldap_escape(const char *value, char **out);

/*
 * `tmpl` with its one `%s` replaced by the escaped `value`. A template
 * without exactly one `%s`, or with any other `%` sequence than `%%` (a
 * literal `%`), is NTK_ERR_BAD_VALUE.
 */
int ntkd_ldap_filter_fill(const char *tmpl, const char *value, char **out);

/* (attr=value) */
int ntkd_ldap_filter_eq(const char *attr, const char *value, char **out);

/* (|(attr=v0)(attr=v1)...); n must be at least 1. */
int ntkd_ldap_filter_any(const char *attr, const char *const *values, size_t n, char **out);

/*
 * The holders of one case: (|(attr=ID)(attr=ID;*)). The id is escaped; the
 * `;*` that matches values with parameters is added unescaped after it.
 */
int ntkd_ldap_filter_case(const char *attr, const char *case_id, char **out);

#endif /* NTKD_LDAP_FILTER_H */
