/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How ntkctl status reads the daemon's key=value lines: health, and JSON for monitoring. */
#ifndef NTKCTL_STATUS_VIEW_H
#define NTKCTL_STATUS_VIEW_H

#include <stddef.h>
#include <stdio.h>

/*
 * 0 healthy, 1 degraded. Degraded: an LDAP server down (or ldap_state=down,
 * or a standing ldap_error), auditd not running, audit records dropped,
 * failed or unheard, or a reply missing those lines. The reasons,
 * space-separated, go into `why`.
 */
int ntkctl_status_health(const char *text, char *why, size_t whylen);

/* The lines as one JSON object (plain integers as numbers), plus "health" and "problems". */
void ntkctl_status_json(FILE *f, const char *text, int health, const char *why);

#endif /* NTKCTL_STATUS_VIEW_H */
