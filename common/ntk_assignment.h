/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing of ntkCaseAssignment values and case ids. */
#ifndef NTK_ASSIGNMENT_H
#define NTK_ASSIGNMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntk_policy.h"

/* True when the `len` bytes at `s` match [A-Za-z0-9._-]{1,64}: system and role names. */
bool ntk_name_valid(const char *s, size_t len);

/* True when `id` matches [A-Za-z0-9._:-]{1,64}. */
bool ntk_case_id_valid(const char *id);

/*
 * Parse `CASEID` or `CASEID;param=value;...` with params system=NAME,
 * until=YYYY-MM-DD, access=read. A bad case id, a bad date, a repeated or
 * unknown parameter (it may be a restriction we do not understand) makes the
 * whole value invalid: returns NTK_ERR_BAD_VALUE, sets *why to a static
 * explanation, and leaves *out cleared. Never grants by accident.
 */
int ntk_assignment_parse(const char *value, struct ntk_assignment *out, const char **why);

/* YYYY-MM-DD (a real calendar date, years 1970-9999) to days since 1970-01-01. */
int ntk_date_parse(const char *s, int32_t *days);

/* Days since 1970-01-01 to YYYY-MM-DD; buf needs 11 bytes. */
void ntk_date_format(int32_t days, char buf[11]);

/* True when the assignment is valid today on `system`. */
bool ntk_assignment_active(const struct ntk_assignment *a, const char *system, int32_t today);

#endif /* NTK_ASSIGNMENT_H */
