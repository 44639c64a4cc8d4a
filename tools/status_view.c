/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How ntkctl status reads the daemon's key=value lines: health, and JSON for monitoring. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "status_view.h"

/* The value of `key` on a line of its own, copied into out; false when absent. */
static bool
value_of(const char *text, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key), n;
	const char *p = text, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '\n');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			n -= klen + 1;
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return true;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

static void
add_reason(char *why, size_t whylen, const char *reason)
{
	size_t len = strlen(why);

	snprintf(why + len, whylen - len, "%s%s", len > 0 ? " " : "", reason);
}

int
ntkctl_status_health(const char *text, char *why, size_t whylen)
{
	static const char *const counters[] = { "audit_dropped", "audit_failed", "audit_unheard" };
	char v[256], key[32];
	size_t i;

	why[0] = '\0';
	/* A reply without the lines health rests on says nothing is well: not healthy. */
	if (!value_of(text, "auditd", v, sizeof(v)) || !value_of(text, "ldap_uri1", v, sizeof(v)) ||
	    !value_of(text, "audit_dropped", v, sizeof(v)))
		add_reason(why, whylen, "status-incomplete");
	if (value_of(text, "ldap_state", v, sizeof(v)) && strcmp(v, "down") == 0)
		add_reason(why, whylen, "ldap-down");
	for (i = 1; i < 64; i++) {
		snprintf(key, sizeof(key), "ldap_uri%zu", i);
		if (!value_of(text, key, v, sizeof(v)))
			break;
		if (strstr(v, " down") != NULL) {
			snprintf(key, sizeof(key), "ldap-uri%zu-down", i);
			add_reason(why, whylen, key);
		}
	}
	if (value_of(text, "ldap_error", v, sizeof(v)) && strcmp(v, "none") != 0)
		add_reason(why, whylen, "ldap-error");
	/* Changes then reach decisions only within ttl (a server without sync is no fault). */
	if (value_of(text, "dir_sync", v, sizeof(v)) && strcmp(v, "down") == 0)
		add_reason(why, whylen, "dir-sync-down");
	if (value_of(text, "auditd", v, sizeof(v)) && strcmp(v, "running") != 0)
		add_reason(why, whylen, "auditd-not-running");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (value_of(text, counters[i], v, sizeof(v)) && strcmp(v, "0") != 0)
			add_reason(why, whylen, counters[i]);
	return why[0] == '\0' ? 0 : 1;
}

static bool
plain_integer(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 18 || (s[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void
json_string(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
ntkctl_status_json(FILE *f, const char *text, int health, const char *why)
{
	const char *p = text, *end, *eq;
	size_t n;

	fputc('{', f);
	while (p != NULL && *p != '\0') {
		end = strchr(p, '\n');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if ((eq = memchr(p, '=', n)) != NULL && eq > p) {
			json_string(f, p, (size_t)(eq - p));
			fputc(':', f);
			if (plain_integer(eq + 1, n - (size_t)(eq - p) - 1))
				fwrite(eq + 1, 1, n - (size_t)(eq - p) - 1, f);
			else
				json_string(f, eq + 1, n - (size_t)(eq - p) - 1);
			fputc(',', f);
		}
		p = end != NULL ? end + 1 : NULL;
	}
	fprintf(f, "\"health\":\"%s\",\"problems\":", health == 0 ? "healthy" : "degraded");
	json_string(f, why, strlen(why));
	fputs("}\n", f);
}
