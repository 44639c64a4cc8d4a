/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Formatting audit records: untrusted values through audit_encode_nv_string, tokens bare. */
#include "config.h"

#include <libaudit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "ntk_err.h"
#include "ntk_policy.h"
#include "peer.h"

/* Raw bytes kept of one untrusted value: a record must stay under the kernel's limit. */
#define VALUE_MAX 512
#define MSG_MAX 7168

struct sb {
	char buf[MSG_MAX];
	size_t len;
	int err;
};

static void __attribute__((format(printf, 2, 3)))
sb_add(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->err != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, sizeof(s->buf) - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(s->buf) - s->len)
		s->err = NTK_ERR_TOO_LONG;
	else
		s->len += (size_t)n;
}

/* " name=ENC": quoted when harmless, hex otherwise, as ausearch -i decodes. */
static void
sb_enc(struct sb *s, const char *name, const char *value)
{
	char *enc;
	size_t n = strlen(value != NULL ? value : "");

	if (n > VALUE_MAX)
		n = VALUE_MAX;
	if ((enc = audit_encode_nv_string(name, value != NULL ? value : "", (unsigned)n)) == NULL) {
		s->err = NTK_ERR_NOMEM;
		return;
	}
	sb_add(s, " %s", enc);
	free(enc);
}

static void
sb_peer(struct sb *s, const struct ntkd_peer *p)
{
	sb_enc(s, "peer_exe", p->exe[0] != '\0' ? p->exe : "?");
	sb_add(s, " peer_pid=%ld peer_uid=%lu", (long)p->pid, (unsigned long)p->uid);
}

/* The "rule=..." or "reason=..." part of a verdict line. */
static const char *
verdict_field(const char *verdict)
{
	const char *sp = strchr(verdict, ' ');

	return sp != NULL ? sp + 1 : verdict;
}

/*
 * PAM_RHOST and PAM_TTY reach libaudit unencoded (hostname=, terminal=):
 * anything but a plain host/address/tty character becomes '?'.
 */
static char *
plain_copy(const char *s)
{
	char *out;
	size_t i, n;

	if (s == NULL || *s == '\0')
		return NULL;
	n = strlen(s);
	if (n > 255)
		n = 255;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(".:-_/[]%", c) != NULL) ? (char)c : '?';
	}
	out[n] = '\0';
	return out;
}

/* True for a numeric IPv4/IPv6 address (it can go to addr= without a DNS lookup). */
static bool
numeric_addr(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (strchr("0123456789abcdefABCDEF.:", s[i]) == NULL)
			return false;
	return strchr(s, '.') != NULL || strchr(s, ':') != NULL;
}

static int
finish(struct sb *s, int type, int result, const char *rhost, const char *tty,
    struct ntkd_audit_rec **out)
{
	struct ntkd_audit_rec *rec;

	*out = NULL;
	if (s->err != 0)
		return s->err;
	if ((rec = calloc(1, sizeof(*rec))) == NULL || (rec->msg = strdup(s->buf)) == NULL) {
		free(rec);
		return NTK_ERR_NOMEM;
	}
	rec->type = type;
	rec->result = result;
	rec->host = plain_copy(rhost);
	if (numeric_addr(rec->host))
		rec->addr = strdup(rec->host);
	rec->tty = plain_copy(tty);
	*out = rec;
	return 0;
}

static void
decision_fields(struct sb *s, const struct ntkd_audit_decision *dec)
{
	sb_enc(s, "acct", dec->user);
	sb_enc(s, "system", dec->system);
	if (dec->action != NTK_ACTION_LOGIN) {
		sb_enc(s, "case", dec->case_id);
		sb_add(s, " access=%s state=%s", ntk_action_name(dec->action),
		    ntk_state_name(dec->state));
	}
}

int
ntkd_audit_rec_decision(const struct ntkd_audit_decision *dec,
    const struct ntkd_peer *peer, struct ntkd_audit_rec **out)
{
	struct sb s = { .len = 0 };
	bool login = dec->action == NTK_ACTION_LOGIN;

	sb_add(&s, "op=%s", login ? "ntk-login" : "ntk-case");
	decision_fields(&s, dec);
	sb_add(&s, " %s", verdict_field(dec->verdict));
	sb_peer(&s, peer);
	return finish(&s, login ? AUDIT_USER_ACCT : AUDIT_TRUSTED_APP, dec->allowed ? 1 : 0,
	    login ? dec->rhost : NULL, login ? dec->tty : NULL, out);
}

int
ntkd_audit_rec_break_glass(const struct ntkd_audit_decision *dec,
    const char *justification, unsigned minutes, const struct ntkd_peer *peer,
    struct ntkd_audit_rec **out)
{
	struct sb s = { .len = 0 };

	sb_add(&s, "op=ntk-break-glass");
	decision_fields(&s, dec);
	sb_add(&s, " rule=break-glass");
	sb_enc(&s, "justification", justification);
	sb_add(&s, " minutes=%u", minutes);
	sb_peer(&s, peer);
	return finish(&s, AUDIT_TRUSTED_APP, 1, NULL, NULL, out);
}

/* " name=a,b,c" (encoded): as many whole case ids as fit in VALUE_MAX bytes. */
static void
sb_cases(struct sb *s, const char *name, char *const *cases, size_t ncases)
{
	char list[VALUE_MAX + 1];
	size_t i, len = 0, n;

	list[0] = '\0';
	for (i = 0; i < ncases; i++) {
		n = strlen(cases[i]);
		if (len + n + (i > 0) > VALUE_MAX)
			break;
		if (i > 0)
			list[len++] = ',';
		memcpy(list + len, cases[i], n);
		len += n;
		list[len] = '\0';
	}
	sb_enc(s, name, list);
}

int
ntkd_audit_rec_statement(const char *user, const char *system, int action,
    int outcome, unsigned rows, char *const *cases, size_t ncases,
    const char *query, const struct ntkd_peer *peer, struct ntkd_audit_rec **out)
{
	struct sb s = { .len = 0 };
	bool allowed = ntk_outcome_allows((enum ntk_outcome)outcome);

	sb_add(&s, "op=ntk-statement");
	sb_enc(&s, "acct", user);
	sb_enc(&s, "system", system);
	sb_add(&s, " access=%s %s=%s rows=%u", ntk_action_name((enum ntk_action)action),
	    allowed ? "rule" : "reason", ntk_outcome_name((enum ntk_outcome)outcome), rows);
	sb_cases(&s, "cases", cases, ncases);
	sb_enc(&s, "query", query);
	sb_peer(&s, peer);
	return finish(&s, AUDIT_TRUSTED_APP, allowed ? 1 : 0, NULL, NULL, out);
}

int
ntkd_audit_rec_suppressed(uid_t uid, const char *user, const char *system,
    unsigned long count, unsigned long denied, unsigned interval, char *const *cases,
    size_t ncases, struct ntkd_audit_rec **out)
{
	struct sb s = { .len = 0 };

	sb_add(&s, "op=ntk-suppressed");
	sb_enc(&s, "acct", user);
	sb_enc(&s, "system", system);
	sb_add(&s, " suppressed=%lu denied=%lu interval=%u", count, denied, interval);
	sb_cases(&s, "cases", cases, ncases);
	sb_add(&s, " peer_uid=%lu", (unsigned long)uid);
	return finish(&s, AUDIT_TRUSTED_APP, denied > 0 ? 0 : 1, NULL, NULL, out);
}
