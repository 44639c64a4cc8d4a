/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether each LDAP server is worth asking, shared by every worker's connection. */
#ifndef NTKD_LDAP_HEALTH_H
#define NTKD_LDAP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A server that timed out or refused us is marked down for everyone: for a
 * backoff of NTKD_LDAP_BACKOFF_MIN_SECS, doubled after each failed probe up
 * to NTKD_LDAP_BACKOFF_MAX_SECS, nobody sends it anything. When the backoff
 * has run out, one operation (the probe) goes to it while the others still
 * skip it; the probe's answer marks it up again or starts the next backoff.
 * So a hung server costs one timeout per backoff, not one per request.
 */
#define NTKD_LDAP_BACKOFF_MIN_SECS 1
#define NTKD_LDAP_BACKOFF_MAX_SECS 30

struct ntkd_ldap_health;

/* The state of `uri` (up at first), kept for the life of the process. */
int ntkd_ldap_health_get(const char *uri, struct ntkd_ldap_health **out);

/*
 * May an operation go to this server now? false: skip it. true: go; when
 * *probe is set it is the one probe of a down server, and its outcome must
 * be reported with probe = true.
 */
bool ntkd_ldap_health_admit(struct ntkd_ldap_health *h, bool *probe);

/* Would admit say yes? (Claims nothing.) */
bool ntkd_ldap_health_usable(struct ntkd_ldap_health *h);

/* The server answered (ok), or failed; timed_out: by not answering in time. */
void ntkd_ldap_health_report(struct ntkd_ldap_health *h, bool probe, bool ok, bool timed_out);

/* A request was refused without any I/O because every server was down. */
void ntkd_ldap_health_fast_fail(void);

/* The last LDAP error met on `uri` (bind, StartTLS, a search), shown by status until it answers. */
void ntkd_ldap_health_note_error(const char *uri, const char *text);

/* That error for `uri` into out ("" when none stands), for ntkd -t's report. */
void ntkd_ldap_health_error(const char *uri, char *out, size_t outlen);

/* STATUS lines: ldap_error (the first configured server's standing error, or none), ldap_timeouts, ldap_fast_fails, and ldap_uriN=URI STATE per URI. */
void ntkd_ldap_health_print(FILE *f, char *const *uris, size_t nuris);

#endif /* NTKD_LDAP_HEALTH_H */
