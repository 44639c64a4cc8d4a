/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntk.conf: reading, validation of every key, and the bind password. */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntk_assignment.h"
#include "ntk_config.h"
#include "ntk_config_perm.h"
#include "ntk_err.h"

/*
 * One reader of our own. Section names keep their case as written (system
 * names are case-sensitive: FACTS), key names do not; a repeated key, or a
 * system or role defined twice, is an error, while a fixed section such as
 * [cache] may appear again (its keys merge: settings appended to a file).
 * Values follow the usual INI conventions (those iniparser also used):
 * "double" or 'single' quotes keep ';' and '#', an unquoted value ends at
 * ';' or '#', a trailing backslash joins the next line.
 */

#define BINDPW_MAX 4096
#define SUN_PATH_LEN 108        /* sizeof(sockaddr_un.sun_path) on Linux */
#define GID_LOW 1000            /* gids up to here belong to the system */
#define GID_HIGH 4294967295ULL  /* (gid_t)-1 is "no gid" */

enum section_kind { SEC_LDAP, SEC_DAEMON, SEC_CACHE, SEC_AUDIT, SEC_NSS, SEC_SYSTEM, SEC_ROLE };

static const char *const fixed_sections[] = { "ldap", "daemon", "cache", "audit", "nss" };

static const char *const ldap_keys[] = { "uri", "base", "binddn", "bindpw_file",
	"user_filter", "role_attribute", "case_attribute", "manager_attribute",
	"role_source", "role_group_filter", "role_group_attribute",
	"supervision_depth", "timeout", "tls", "tls_cacert", "name_attribute", "staff_filter",
	"role_value", "group_nesting", "bind_mech", "krb5_keytab", "krb5_principal", "tls_cert",
	"tls_key",
	"follow_changes", NULL };
static const char *const daemon_keys[] = { "socket", "trusted_peers", "threads",
    "max_connections_per_uid", "untrusted_idle", "untrusted_rate", NULL };
static const char *const cache_keys[] = { "ttl", "negative_ttl", "offline_grace", NULL };
static const char *const audit_keys[] = { "allows", "break_glass_minutes", "queue",
	"browsing_threshold", "auditd_pid_file",
	"auditd_log_file", "confirm_ms", "budget", "budget_interval",
	"reviewers",
	NULL };
static const char *const nss_keys[] = { "visibility", "case_gid_min", "case_gid_max",
	"system_gid_min", "role_gid_min", "enumerate", "map", NULL };
static const char *const system_keys[] = { "roles", "deny_message", NULL };
static const char *const role_keys[] = { "cases", "write", "closed", "sealed", "break_glass",
	"release", NULL };

static const char *const *const section_keys[] = {
	[SEC_LDAP] = ldap_keys, [SEC_DAEMON] = daemon_keys, [SEC_CACHE] = cache_keys,
	[SEC_AUDIT] = audit_keys, [SEC_NSS] = nss_keys, [SEC_SYSTEM] = system_keys,
	[SEC_ROLE] = role_keys,
};

struct section {
	char *name;             /* as shown in messages: "ldap", "system:FACTS" */
	char *lname;            /* lowercased: "system:facts" */
	enum section_kind kind;
	const char *arg;        /* NAME of [system:NAME] / [role:NAME], inside name */
};

struct key {
	size_t section;
	char *name;             /* lowercased */
	char *value;            /* quotes and comments taken off */
};

struct ctx {
	const char *path;
	char *err;
	size_t errlen;
	struct section *secs;
	size_t nsecs;
	struct key *keys;
	size_t nkeys;
	long cur;               /* the section the scan is in; -1 before the first */
	unsigned long lineno;   /* the physical line the scan has reached */
	struct ntk_config *cfg;
};

/* ---- messages ------------------------------------------------------------ */

static int fail(struct ctx *c, const char *section, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Write "FILE:SECTION:KEY: reason" (parts left out when NULL); returns NTK_ERR_CONFIG. */
static int
fail(struct ctx *c, const char *section, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err == NULL || c->errlen == 0)
		return NTK_ERR_CONFIG;
	n = snprintf(c->err, c->errlen, "%s%s%s%s%s: ", c->path,
	    section != NULL ? ":" : "", section != NULL ? section : "",
	    key != NULL ? ":" : "", key != NULL ? key : "");
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return NTK_ERR_CONFIG;
}

static int
nomem(struct ctx *c)
{
	fail(c, NULL, NULL, "out of memory");
	return NTK_ERR_NOMEM;
}

/* ---- small parsers -------------------------------------------------------- */

static bool
is_alnum(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static char
lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Plain decimal only: no sign, no octal-looking leading zero, no junk, no overflow. */
static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return NTK_ERR_BAD_VALUE;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned digit;

		if (s[i] < '0' || s[i] > '9')
			return NTK_ERR_BAD_VALUE;
		digit = (unsigned)(s[i] - '0');
		/* digit > max first: max - digit would wrap for a max below 9. */
		if (digit > max || v > (max - digit) / 10)
			return NTK_ERR_BAD_VALUE;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1" };
	static const char *const no[] = { "no", "false", "0" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return NTK_ERR_BAD_VALUE;
}

/* An LDAP filter template: parenthesised, exactly one %s, no other '%'. */
static bool
filter_valid(const char *s)
{
	const char *p = strchr(s, '%');
	size_t len = strlen(s);

	return len >= 2 && s[0] == '(' && s[len - 1] == ')' && p != NULL &&
	    p[1] == 's' && strchr(p + 2, '%') == NULL;
}

/* An attribute type: a descriptor ([A-Za-z][A-Za-z0-9-]*) or a numeric OID. */
static bool
attribute_valid(const char *s)
{
	size_t i;

	if (s[0] >= '0' && s[0] <= '9') {
		for (i = 0; s[i] != '\0'; i++) {
			if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '.')
				return false;
		}
		return s[i - 1] != '.';
	}
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
	}
	return true;
}

/* A plain filter: parenthesised, balanced, no '%' (nothing is substituted). */
static bool
plain_filter_valid(const char *s)
{
	size_t len = strlen(s), i;
	long depth = 0;

	if (len < 2 || s[0] != '(' || s[len - 1] != ')' || strchr(s, '%') != NULL)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		/* Closed before the end: "(a)(b)" or "(a))(|(b)" is not one filter. */
		if (depth <= 0 && i + 1 < len)
			return false;
	}
	return depth == 0;
}

/*
 * No ',' anywhere: libldap reads "ldaps://a,ldap://b" as two URIs, which
 * would slip a second, unchecked one past the TLS rule below.
 */
static bool
uri_valid(const char *s)
{
	size_t i;

	if (strncasecmp(s, "ldap://", 7) != 0 && strncasecmp(s, "ldaps://", 8) != 0 &&
	    strncasecmp(s, "ldapi://", 8) != 0)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f || s[i] == ',')
			return false;
	}
	return true;
}

/*
 * An ldap:// URI whose host is loopback: localhost, 127.0.0.0/8 or [::1].
 * Anything else, an empty host (libldap's default) included, is not.
 */
static bool
uri_loopback(const char *uri)
{
	const char *h = uri + 7, *end;
	char host[64];
	struct in_addr a4;
	struct in6_addr a6;
	size_t len;

	if (*h == '[') {
		if ((end = strchr(h, ']')) == NULL)
			return false;
		h++;
	} else
		end = h + strcspn(h, ":/?#");
	len = (size_t)(end - h);
	if (len == 0 || len >= sizeof(host))
		return false;
	memcpy(host, h, len);
	host[len] = '\0';
	if (uri[7] == '[')
		return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	if (strcasecmp(host, "localhost") == 0)
		return true;
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* Split on blanks into a NULL-free array of copies. */
static int
split_words(const char *s, char ***out, size_t *n)
{
	char **v = NULL, **nv;
	size_t count = 0, len;

	*out = NULL;
	*n = 0;
	while (*s != '\0') {
		while (is_space(*s))
			s++;
		if (*s == '\0')
			break;
		for (len = 0; s[len] != '\0' && !is_space(s[len]); len++)
			;
		if ((nv = realloc(v, (count + 1) * sizeof(*v))) == NULL)
			goto nomem;
		v = nv;
		if ((v[count] = strndup(s, len)) == NULL)
			goto nomem;
		count++;
		s += len;
	}
	*out = v;
	*n = count;
	return 0;
 nomem:
	while (count > 0)
		free(v[--count]);
	free(v);
	return NTK_ERR_NOMEM;
}

static void
free_words(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- our own scan of the file: sections as written, keys in order -------- */

static int
scan_section(struct ctx *c, const char *text, size_t len)
{
	struct section *s, *ns;
	const char *arg = NULL;
	char *name, *lname = NULL;
	size_t i, plen = 0;
	int kind = -1;

	for (i = 0; i < sizeof(fixed_sections) / sizeof(fixed_sections[0]); i++) {
		if (strlen(fixed_sections[i]) == len && strncasecmp(text, fixed_sections[i], len) == 0)
			kind = (int)i;
	}
	if (kind < 0 && len > 7 && strncasecmp(text, "system:", 7) == 0) {
		kind = SEC_SYSTEM;
		plen = 7;
	} else if (kind < 0 && len > 5 && strncasecmp(text, "role:", 5) == 0) {
		kind = SEC_ROLE;
		plen = 5;
	}
	if ((name = malloc(len + 1)) == NULL)
		return nomem(c);
	/* Our names for fixed parts (lowercase), the NAME exactly as written. */
	if (kind >= 0 && plen == 0)
		strcpy(name, fixed_sections[kind]);
	else if (kind >= 0) {
		memcpy(name, kind == SEC_SYSTEM ? "system:" : "role:", plen);
		memcpy(name + plen, text + plen, len - plen);
		name[len] = '\0';
		arg = name + plen;
	} else {
		memcpy(name, text, len);
		name[len] = '\0';
	}
	if (kind < 0) {
		fail(c, name, NULL, "unknown section");
		free(name);
		return NTK_ERR_CONFIG;
	}
	if (arg != NULL && !ntk_name_valid(arg, len - plen)) {
		fail(c, name, NULL, "name must be 1 to 64 of [A-Za-z0-9._-]");
		free(name);
		return NTK_ERR_CONFIG;
	}
	for (i = 0; i < c->nsecs; i++) {
		/*
		 * A fixed section may appear again (settings appended to a file):
		 * its keys merge, and a key given twice is still refused. A
		 * system or role defined twice is an error, and names differing
		 * only in case count as the same (roles match ignoring case).
		 */
		if (arg == NULL && strcmp(c->secs[i].name, name) == 0) {
			free(name);
			c->cur = (long)i;
			return 0;
		}
		if (strcasecmp(c->secs[i].name, name) == 0) {
			fail(c, name, NULL, "duplicate section%s",
			    strcmp(c->secs[i].name, name) != 0 ?
			    " (names differing only in case are the same section)" : "");
			free(name);
			return NTK_ERR_CONFIG;
		}
	}
	if ((lname = strdup(name)) == NULL ||
	    (ns = realloc(c->secs, (c->nsecs + 1) * sizeof(*ns))) == NULL) {
		free(lname);
		free(name);
		return nomem(c);
	}
	for (i = 0; lname[i] != '\0'; i++)
		lname[i] = lower(lname[i]);
	c->secs = ns;
	s = &c->secs[c->nsecs];
	s->name = name;
	s->lname = lname;
	s->kind = (enum section_kind)kind;
	s->arg = arg;
	c->cur = (long)c->nsecs++;
	return 0;
}

/*
 * The value after '=': "quoted" or 'quoted' as is (';' and '#' kept; an
 * unclosed quote runs to the end of the line), else up to ';' or '#',
 * spaces trimmed at both ends.
 */
static char *
scan_value(const char *v)
{
	const char *end;
	char q;

	while (is_space(*v))
		v++;
	if (*v == '"' || *v == '\'') {
		q = *v++;
		if ((end = strchr(v, q)) == NULL)
			end = v + strlen(v);
		return strndup(v, (size_t)(end - v));
	}
	end = v + strcspn(v, ";#");
	while (end > v && is_space(end[-1]))
		end--;
	return strndup(v, (size_t)(end - v));
}

static int
scan_key(struct ctx *c, const char *text, size_t len, const char *value)
{
	const char *const *allowed;
	struct key *nk;
	char *name, *val;
	size_t i;
	bool known = false;

	while (len > 0 && is_space(text[len - 1]))
		len--;
	if ((name = strndup(text, len)) == NULL)
		return nomem(c);
	for (i = 0; name[i] != '\0'; i++)
		name[i] = lower(name[i]);
	if (len == 0 || c->cur < 0) {
		fail(c, NULL, len == 0 ? NULL : name, len == 0 ? "a line with an empty key" :
		    "key outside any section");
		free(name);
		return NTK_ERR_CONFIG;
	}
	for (allowed = section_keys[c->secs[c->cur].kind]; *allowed != NULL; allowed++)
		known = known || strcmp(*allowed, name) == 0;
	if (!known) {
		fail(c, c->secs[c->cur].name, name, "unknown key");
		free(name);
		return NTK_ERR_CONFIG;
	}
	for (i = 0; i < c->nkeys; i++) {
		if (c->keys[i].section == (size_t)c->cur && strcmp(c->keys[i].name, name) == 0) {
			fail(c, c->secs[c->cur].name, name, "key given twice");
			free(name);
			return NTK_ERR_CONFIG;
		}
	}
	if ((val = scan_value(value)) == NULL ||
	    (nk = realloc(c->keys, (c->nkeys + 1) * sizeof(*nk))) == NULL) {
		free(val);
		free(name);
		return nomem(c);
	}
	c->keys = nk;
	c->keys[c->nkeys].section = (size_t)c->cur;
	c->keys[c->nkeys].name = name;
	c->keys[c->nkeys].value = val;
	c->nkeys++;
	return 0;
}

/* One logical line: blank, a comment, [section], or key = value. */
static int
scan_line(struct ctx *c, const char *line)
{
	size_t len;
	const char *eq;

	while (is_space(*line))
		line++;
	len = strlen(line);
	while (len > 0 && is_space(line[len - 1]))
		len--;
	if (len == 0 || line[0] == '#' || line[0] == ';')
		return 0;
	if (line[0] == '[' && line[len - 1] == ']') {
		line++;
		len -= 2;
		while (len > 0 && is_space(*line)) {
			line++;
			len--;
		}
		while (len > 0 && is_space(line[len - 1]))
			len--;
		return scan_section(c, line, len);
	}
	if ((eq = memchr(line, '=', len)) == NULL)
		return fail(c, NULL, NULL, "line %lu: syntax error: '%.*s' (expected [section] or "
		    "key = value)", c->lineno, (int)(len > 60 ? 60 : len), line);
	return scan_key(c, line, (size_t)(eq - line), eq + 1);
}

static int
scan_file(struct ctx *c, FILE *fp)
{
	char *line = NULL, *acc = NULL, *na;
	size_t cap = 0, acclen = 0, len;
	ssize_t got;
	int r = 0;

	c->cur = -1;
	c->lineno = 0;
	while ((got = getline(&line, &cap, fp)) >= 0) {
		c->lineno++;
		len = (size_t)got;
		while (len > 0 && is_space(line[len - 1]))
			len--;
		/* A trailing backslash joins the next line. */
		if ((na = realloc(acc, acclen + len + 1)) == NULL) {
			r = nomem(c);
			goto out;
		}
		acc = na;
		memcpy(acc + acclen, line, len);
		acclen += len;
		acc[acclen] = '\0';
		if (len > 0 && line[len - 1] == '\\') {
			acc[--acclen] = '\0';
			continue;
		}
		if (memchr(acc, '\0', acclen) != NULL) {
			r = fail(c, NULL, NULL, "holds a NUL byte");
			goto out;
		}
		if ((r = scan_line(c, acc)) != 0)
			goto out;
		acclen = 0;
	}
	if (ferror(fp)) {
		r = fail(c, NULL, NULL, "read error: %s", strerror(errno));
		goto out;
	}
	if (acclen > 0)
		r = scan_line(c, acc);
 out:
	free(line);
	free(acc);
	return r;
}

/* ---- typed getters -------------------------------------------------------- */

/* The value of section:key, or NULL when absent. */
static const char *
get(struct ctx *c, const char *lsection, const char *key)
{
	size_t i;

	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->secs[c->keys[i].section].lname, lsection) == 0 &&
		    strcmp(c->keys[i].name, key) == 0)
			return c->keys[i].value;
	return NULL;
}

static int
get_uint(struct ctx *c, const char *sec, const char *key, uint64_t min, uint64_t max,
    uint64_t *out)
{
	const char *v = get(c, sec, key);
	uint64_t n;

	if (v == NULL)
		return 0;       /* *out keeps its default */
	if (parse_uint(v, max, &n) != 0 || n < min)
		return fail(c, sec, key, "must be an integer from %llu to %llu",
		    (unsigned long long)min, (unsigned long long)max);
	*out = n;
	return 0;
}

static int
get_unsigned(struct ctx *c, const char *sec, const char *key, unsigned min, unsigned max,
    unsigned *out)
{
	uint64_t v = *out;
	int r;

	if ((r = get_uint(c, sec, key, min, max, &v)) == 0)
		*out = (unsigned)v;
	return r;
}

static int
get_bool(struct ctx *c, const char *sec, const char *key, bool *out)
{
	const char *v = get(c, sec, key);

	if (v != NULL && parse_bool(v, out) != 0)
		return fail(c, sec, key, "must be yes or no");
	return 0;
}

/* A string; NULL def and absent leaves *out NULL. Empty values are refused. */
static int
get_str(struct ctx *c, const char *sec, const char *key, const char *def, char **out)
{
	const char *v = get(c, sec, key);

	if (v != NULL && v[0] == '\0')
		return fail(c, sec, key, "must not be empty");
	if (v == NULL)
		v = def;
	if (v == NULL)
		return 0;
	if ((*out = strdup(v)) == NULL)
		return nomem(c);
	return 0;
}

/* One of `names`; absent keeps *out. */
static int
get_choice(struct ctx *c, const char *sec, const char *key, const char *const *names,
    size_t n, const char *expect, int *out)
{
	const char *v = get(c, sec, key);
	size_t i;

	if (v == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return fail(c, sec, key, "must be %s", expect);
}

/* ---- files the config points at ----------------------------------------- */

static int
read_bindpw(struct ctx *c)
{
	struct ntk_config *cfg = c->cfg;
	char buf[BINDPW_MAX + 1];
	struct stat st;
	size_t len = 0;
	ssize_t got;
	int fd, r = NTK_ERR_CONFIG;

	/* O_NONBLOCK: a FIFO planted here must not hang the daemon's start. */
	if ((fd = open(cfg->bindpw_file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return fail(c, "ldap", "bindpw_file", "cannot open %s: %s", cfg->bindpw_file,
		    strerror(errno));
	if (fstat(fd, &st) != 0) {
		fail(c, "ldap", "bindpw_file", "cannot stat %s: %s", cfg->bindpw_file,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(c, "ldap", "bindpw_file", "%s is not a regular file", cfg->bindpw_file);
		goto out;
	}
	/* Whoever owns it may change it, and the mode with it. */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		fail(c, "ldap", "bindpw_file", "%s is owned by uid %u; it must be owned by root "
		    "or by uid %u, which runs ntkd", cfg->bindpw_file, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		goto out;
	}
	/* Stricter than "not readable": no group or other bits at all. */
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		fail(c, "ldap", "bindpw_file", "%s is accessible by group or others (mode %04o); "
		    "it must be 0600 or 0400", cfg->bindpw_file, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf)) {
		got = read(fd, buf + len, sizeof(buf) - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fail(c, "ldap", "bindpw_file", "cannot read %s: %s", cfg->bindpw_file,
			    strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	if (len > BINDPW_MAX) {
		fail(c, "ldap", "bindpw_file", "%s is longer than %d bytes", cfg->bindpw_file,
		    BINDPW_MAX);
		goto out;
	}
	/* One trailing newline (CRLF too) is the file's, not the password's. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		fail(c, "ldap", "bindpw_file", "%s is empty", cfg->bindpw_file);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL || memchr(buf, '\n', len) != NULL) {
		fail(c, "ldap", "bindpw_file", "%s holds a NUL byte or more than one line",
		    cfg->bindpw_file);
		goto out;
	}
	if ((cfg->bindpw = strndup(buf, len)) == NULL) {
		r = nomem(c);
		goto out;
	}
	r = 0;
 out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

static int
check_readable(struct ctx *c, const char *sec, const char *key, const char *path)
{
	struct stat st;
	char why[128];
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return fail(c, sec, key, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		r = fail(c, sec, key, "%s is not a regular file", path);
	/* A CA or certificate others may change is a trust anchor others choose. */
	else if (ntk_perm_check_stat(&st, false, why, sizeof(why)) != 0)
		r = fail(c, sec, key, "%s is %s", path, why);
	close(fd);
	return r;
}

/* ---- sections -------------------------------------------------------------- */

/* A key file (keytab, TLS key): a regular file owned by root or us, unreadable to others. */
static int
check_secret(struct ctx *c, const char *key, const char *path)
{
	struct stat st;
	int fd, r = 0;

	if (path[0] != '/')
		return fail(c, "ldap", key, "must be an absolute path");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return fail(c, "ldap", key, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		r = fail(c, "ldap", key, "%s is not a regular file", path);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		r = fail(c, "ldap", key, "%s must be owned by root or the user ntkd runs as", path);
	else if ((st.st_mode & 077) != 0)
		r = fail(c, "ldap", key, "%s is readable or writable by group or others (mode %04o)",
		    path, (unsigned)(st.st_mode & 07777));
	close(fd);
	return r;
}

/* bind_mech: each mechanism's own keys, and none of another's. */
static int
load_bind_mech(struct ctx *c)
{
	struct ntk_config *cfg = c->cfg;
	size_t i;
	int r;

	if ((r = get_str(c, "ldap", "krb5_keytab", NULL, &cfg->krb5_keytab)) != 0 ||
	    (r = get_str(c, "ldap", "krb5_principal", NULL, &cfg->krb5_principal)) != 0 ||
	    (r = get_str(c, "ldap", "tls_cert", NULL, &cfg->tls_cert)) != 0 ||
	    (r = get_str(c, "ldap", "tls_key", NULL, &cfg->tls_key)) != 0)
		return r;
	if (cfg->bind_mech != NTK_BIND_SIMPLE && cfg->binddn != NULL)
		return fail(c, "ldap", "binddn", "not used with bind_mech = %s (the identity comes "
		    "from %s)", cfg->bind_mech == NTK_BIND_GSSAPI ? "GSSAPI" : "EXTERNAL",
		    cfg->bind_mech == NTK_BIND_GSSAPI ? "krb5_keytab" : "tls_cert");
	if (cfg->bind_mech != NTK_BIND_GSSAPI && cfg->krb5_keytab != NULL)
		return fail(c, "ldap", "krb5_keytab", "only with bind_mech = GSSAPI");
	if (cfg->bind_mech != NTK_BIND_GSSAPI && cfg->krb5_principal != NULL)
		return fail(c, "ldap", "krb5_principal", "only with bind_mech = GSSAPI");
	if (cfg->bind_mech != NTK_BIND_EXTERNAL && (cfg->tls_cert != NULL || cfg->tls_key != NULL))
		return fail(c, "ldap", cfg->tls_cert != NULL ? "tls_cert" : "tls_key",
		    "only with bind_mech = EXTERNAL");
	if (cfg->bind_mech == NTK_BIND_GSSAPI) {
		if (cfg->krb5_keytab == NULL)
			return fail(c, "ldap", "krb5_keytab", "required with bind_mech = GSSAPI");
		if (cfg->krb5_principal != NULL && strchr(cfg->krb5_principal, '@') == NULL)
			return fail(c, "ldap", "krb5_principal", "must name the realm (name@REALM)");
		return check_secret(c, "krb5_keytab", cfg->krb5_keytab);
	}
	if (cfg->bind_mech == NTK_BIND_EXTERNAL) {
		if (cfg->tls_cert == NULL || cfg->tls_key == NULL)
			return fail(c, "ldap", cfg->tls_cert == NULL ? "tls_cert" : "tls_key",
			    "required with bind_mech = EXTERNAL");
		/* The certificate is the identity: it only counts inside TLS. */
		for (i = 0; i < cfg->nuris; i++)
			if (cfg->tls != NTK_TLS_STARTTLS && strncasecmp(cfg->uris[i], "ldaps://", 8) != 0)
				return fail(c, "ldap", "bind_mech", "EXTERNAL needs TLS: use tls = starttls "
				    "or ldaps:// for '%s'", cfg->uris[i]);
		if (cfg->tls_cert[0] != '/')
			return fail(c, "ldap", "tls_cert", "must be an absolute path");
		if ((r = check_readable(c, "ldap", "tls_cert", cfg->tls_cert)) != 0)
			return r;
		return check_secret(c, "tls_key", cfg->tls_key);
	}
	return 0;
}

static int
load_ldap(struct ctx *c)
{
	static const char *const sources[] = { "attribute", "group" };
	static const char *const role_values[] = { "value", "rdn" };
	static const char *const mechs[] = { "simple", "GSSAPI", "EXTERNAL" };
	static const char *const tls[] = { "none", "starttls" };
	struct ntk_config *cfg = c->cfg;
	const char *v;
	uint64_t depth = 2;
	size_t i;
	int r, choice;

	if ((v = get(c, "ldap", "uri")) == NULL)
		return fail(c, "ldap", "uri", "required");
	if ((r = split_words(v, &cfg->uris, &cfg->nuris)) != 0)
		return nomem(c);
	if (cfg->nuris == 0)
		return fail(c, "ldap", "uri", "must list at least one ldap://, ldaps:// or ldapi:// URI");
	for (i = 0; i < cfg->nuris; i++) {
		if (!uri_valid(cfg->uris[i]))
			return fail(c, "ldap", "uri", "'%s' is not an ldap://, ldaps:// or ldapi:// URI%s",
			    cfg->uris[i], strchr(cfg->uris[i], ',') != NULL ?
			    " (no ',': separate URIs by blanks)" : "");
	}
	if (get(c, "ldap", "base") == NULL)
		return fail(c, "ldap", "base", "required");
	if ((r = get_str(c, "ldap", "base", NULL, &cfg->base)) != 0 ||
	    (r = get_str(c, "ldap", "binddn", NULL, &cfg->binddn)) != 0 ||
	    (r = get_str(c, "ldap", "bindpw_file", NULL, &cfg->bindpw_file)) != 0 ||
	    (r = get_str(c, "ldap", "user_filter", "(&(objectClass=inetOrgPerson)(uid=%s))",
	    &cfg->user_filter)) != 0 ||
	    (r = get_str(c, "ldap", "role_attribute", "ntkRole", &cfg->role_attribute)) != 0 ||
	    (r = get_str(c, "ldap", "case_attribute", "ntkCaseAssignment",
	    &cfg->case_attribute)) != 0 ||
	    (r = get_str(c, "ldap", "manager_attribute", "manager", &cfg->manager_attribute)) != 0 ||
	    (r = get_str(c, "ldap", "role_group_filter", "(&(objectClass=groupOfNames)(member=%s))",
	    &cfg->role_group_filter)) != 0 ||
	    (r = get_str(c, "ldap", "role_group_attribute", "cn", &cfg->role_group_attribute)) != 0 ||
	    (r = get_str(c, "ldap", "tls_cacert", NULL, &cfg->tls_cacert)) != 0 ||
	    (r = get_str(c, "ldap", "name_attribute", "uid", &cfg->name_attribute)) != 0 ||
	    (r = get_str(c, "ldap", "staff_filter", "(objectClass=inetOrgPerson)",
	    &cfg->staff_filter)) != 0)
		return r;
	if (cfg->binddn != NULL && cfg->bindpw_file == NULL)
		return fail(c, "ldap", "bindpw_file", "required when binddn is set");
	/* A password file without a DN would be silently unused: say so instead. */
	if (cfg->binddn == NULL && cfg->bindpw_file != NULL)
		return fail(c, "ldap", "bindpw_file", "set without binddn");
	if (cfg->bindpw_file != NULL && cfg->bindpw_file[0] != '/')
		return fail(c, "ldap", "bindpw_file", "must be an absolute path");
	if (!filter_valid(cfg->user_filter))
		return fail(c, "ldap", "user_filter",
		    "must be a parenthesised filter with exactly one %%s and no other %%");
	if (!filter_valid(cfg->role_group_filter))
		return fail(c, "ldap", "role_group_filter",
		    "must be a parenthesised filter with exactly one %%s and no other %%");
	if (!plain_filter_valid(cfg->staff_filter))
		return fail(c, "ldap", "staff_filter",
		    "must be one parenthesised filter without %%");
	if (!attribute_valid(cfg->name_attribute))
		return fail(c, "ldap", "name_attribute", "must be an LDAP attribute name");
	if (!attribute_valid(cfg->role_attribute))
		return fail(c, "ldap", "role_attribute", "must be an LDAP attribute name");
	if (!attribute_valid(cfg->case_attribute))
		return fail(c, "ldap", "case_attribute", "must be an LDAP attribute name");
	if (!attribute_valid(cfg->manager_attribute))
		return fail(c, "ldap", "manager_attribute", "must be an LDAP attribute name");
	if (!attribute_valid(cfg->role_group_attribute))
		return fail(c, "ldap", "role_group_attribute", "must be an LDAP attribute name");
	choice = (int)cfg->role_source;
	if ((r = get_choice(c, "ldap", "role_source", sources, 2, "attribute or group",
	    &choice)) != 0)
		return r;
	cfg->role_source = (enum ntk_role_source)choice;
	choice = (int)cfg->role_value;
	if ((r = get_choice(c, "ldap", "role_value", role_values, 2, "value or rdn",
	    &choice)) != 0)
		return r;
	cfg->role_value = (enum ntk_role_value)choice;
	if ((r = get_unsigned(c, "ldap", "group_nesting", 0, NTK_GROUP_NESTING_MAX,
	    &cfg->group_nesting)) != 0)
		return r;
	if ((r = get_bool(c, "ldap", "follow_changes", &cfg->follow_changes)) != 0)
		return r;
	choice = (int)cfg->bind_mech;
	if ((r = get_choice(c, "ldap", "bind_mech", mechs, 3, "simple, GSSAPI or EXTERNAL",
	    &choice)) != 0)
		return r;
	cfg->bind_mech = (enum ntk_bind_mech)choice;
	choice = (int)cfg->tls;
	if ((r = get_choice(c, "ldap", "tls", tls, 2, "none or starttls", &choice)) != 0)
		return r;
	cfg->tls = (enum ntk_tls_mode)choice;
	/* The bind password and every decision's facts must not cross a network in clear. */
	for (i = 0; i < cfg->nuris && cfg->tls == NTK_TLS_NONE; i++) {
		if (strncasecmp(cfg->uris[i], "ldap://", 7) == 0 && !uri_loopback(cfg->uris[i]))
			return fail(c, "ldap", "tls", "none sends '%s' plain text over the network: "
			    "use tls = starttls, or an ldaps:// URI (plain ldap:// only to "
			    "localhost, 127.0.0.0/8 or [::1])", cfg->uris[i]);
	}
	if ((r = load_bind_mech(c)) != 0)
		return r;
	if ((r = get_uint(c, "ldap", "supervision_depth", 0, 10, &depth)) != 0 ||
	    (r = get_unsigned(c, "ldap", "timeout", 1, 300, &cfg->timeout)) != 0)
		return r;
	cfg->policy.supervision_depth = (unsigned)depth;
	if (cfg->tls_cacert != NULL) {
		if (cfg->tls_cacert[0] != '/')
			return fail(c, "ldap", "tls_cacert", "must be an absolute path");
		if ((r = check_readable(c, "ldap", "tls_cacert", cfg->tls_cacert)) != 0)
			return r;
	}
	if (cfg->bindpw_file != NULL)
		return read_bindpw(c);
	return 0;
}

static int
load_daemon(struct ctx *c)
{
	struct ntk_config *cfg = c->cfg;
	const char *v;
	size_t i;
	int r;

	if ((r = get_str(c, "daemon", "socket", "/run/ntk/ntkd.sock", &cfg->socket)) != 0)
		return r;
	if (cfg->socket[0] != '/')
		return fail(c, "daemon", "socket", "must be an absolute path");
	if (strlen(cfg->socket) >= SUN_PATH_LEN)
		return fail(c, "daemon", "socket", "must be shorter than %d bytes", SUN_PATH_LEN);
	if ((v = get(c, "daemon", "trusted_peers")) != NULL) {
		if (split_words(v, &cfg->trusted_peers, &cfg->ntrusted_peers) != 0)
			return nomem(c);
		for (i = 0; i < cfg->ntrusted_peers; i++) {
			if (!ntk_name_valid(cfg->trusted_peers[i], strlen(cfg->trusted_peers[i])))
				return fail(c, "daemon", "trusted_peers",
				    "'%s' is not a user name (1 to 64 of [A-Za-z0-9._-])",
				    cfg->trusted_peers[i]);
		}
	}
	if ((r = get_unsigned(c, "daemon", "threads", 1, 64, &cfg->threads)) != 0 ||
	    (r = get_unsigned(c, "daemon", "max_connections_per_uid", 1, 1024,
	    &cfg->max_connections_per_uid)) != 0 ||
	    (r = get_unsigned(c, "daemon", "untrusted_rate", 1, 1000000, &cfg->untrusted_rate)) != 0)
		return r;
	return get_unsigned(c, "daemon", "untrusted_idle", 1, 86400, &cfg->untrusted_idle);
}

static int
load_cache_audit(struct ctx *c)
{
	struct ntk_config *cfg = c->cfg;
	int r;

	if ((r = get_unsigned(c, "cache", "ttl", 0, 86400, &cfg->cache_ttl)) != 0 ||
	    (r = get_unsigned(c, "cache", "negative_ttl", 0, 86400, &cfg->cache_negative_ttl)) != 0 ||
	    (r = get_unsigned(c, "cache", "offline_grace", 0, 604800,
	    &cfg->cache_offline_grace)) != 0 ||
	    (r = get_bool(c, "audit", "allows", &cfg->audit_allows)) != 0 ||
	    (r = get_unsigned(c, "audit", "break_glass_minutes", 1, 1440,
	    &cfg->break_glass_minutes)) != 0 ||
	    (r = get_unsigned(c, "audit", "queue", 16, 65536, &cfg->audit_queue)) != 0 ||
	    (r = get_unsigned(c, "audit", "browsing_threshold", 1, 10000,
	    &cfg->browsing_threshold)) != 0 ||
	    (r = get_str(c, "audit", "auditd_pid_file", "/run/auditd.pid",
	    &cfg->auditd_pid_file)) != 0 ||
	    (r = get_str(c, "audit", "auditd_log_file", "", &cfg->auditd_log_file)) != 0 ||
	    (r = get_unsigned(c, "audit", "confirm_ms", 10, 60000, &cfg->audit_confirm_ms)) != 0 ||
	    (r = get_unsigned(c, "audit", "budget", 0, 1000000, &cfg->audit_budget)) != 0 ||
	    (r = get_unsigned(c, "audit", "budget_interval", 1, 86400,
	    &cfg->audit_budget_interval)) != 0)
		return r;
	/* Empty: the log_file auditd.conf names, read when a grant is confirmed. */
	if (cfg->auditd_log_file[0] != '\0' && cfg->auditd_log_file[0] != '/')
		return fail(c, "audit", "auditd_log_file", "must be an absolute path");
	/* "none": no auditd to watch (it runs outside this host's view, e.g. a container's host). */
	if (strcmp(cfg->auditd_pid_file, "none") == 0) {
		free(cfg->auditd_pid_file);
		cfg->auditd_pid_file = NULL;
	} else if (cfg->auditd_pid_file[0] != '/') {
		return fail(c, "audit", "auditd_pid_file", "must be an absolute path or none");
	}
	return 0;
}

struct range {
	const char *key;
	uint64_t lo, hi;
};

static int
load_nss(struct ctx *c)
{
	static const char *const vis[] = { "member", "all" };
	struct ntk_config *cfg = c->cfg;
	uint64_t cmin = cfg->case_gid_min, cmax = cfg->case_gid_max;
	uint64_t smin = cfg->system_gid_min, rmin = cfg->role_gid_min;
	struct range rg[3];
	size_t i, j, nsys, nroles;
	int r, choice = (int)cfg->visibility;

	if ((r = get_choice(c, "nss", "visibility", vis, 2, "member or all", &choice)) != 0 ||
	    (r = get_bool(c, "nss", "enumerate", &cfg->enumerate)) != 0 ||
	    (r = get_bool(c, "nss", "map", &cfg->nss_map)) != 0 ||
	    (r = get_uint(c, "nss", "case_gid_min", GID_LOW + 1, GID_HIGH - 1, &cmin)) != 0 ||
	    (r = get_uint(c, "nss", "case_gid_max", GID_LOW + 1, GID_HIGH - 1, &cmax)) != 0 ||
	    (r = get_uint(c, "nss", "system_gid_min", GID_LOW + 1, GID_HIGH - 1, &smin)) != 0 ||
	    (r = get_uint(c, "nss", "role_gid_min", GID_LOW + 1, GID_HIGH - 1, &rmin)) != 0)
		return r;
	cfg->visibility = (enum ntk_visibility)choice;
	if (cmax < cmin)
		return fail(c, "nss", "case_gid_max", "must not be below case_gid_min (%llu)",
		    (unsigned long long)cmin);
	/* A system or role gid is its min plus its index: the range grows with the config. */
	nsys = cfg->policy.nsystems > 0 ? cfg->policy.nsystems : 1;
	nroles = cfg->policy.nroles > 0 ? cfg->policy.nroles : 1;
	rg[0] = (struct range){ "case_gid_min", cmin, cmax };
	rg[1] = (struct range){ "system_gid_min", smin, smin + nsys - 1 };
	rg[2] = (struct range){ "role_gid_min", rmin, rmin + nroles - 1 };
	for (i = 1; i < 3; i++) {
		if (rg[i].hi >= GID_HIGH)
			return fail(c, "nss", rg[i].key, "range %llu-%llu runs past %llu",
			    (unsigned long long)rg[i].lo, (unsigned long long)rg[i].hi,
			    (unsigned long long)GID_HIGH - 1);
	}
	for (i = 1; i < 3; i++) {
		for (j = 0; j < i; j++) {
			if (rg[i].lo <= rg[j].hi && rg[j].lo <= rg[i].hi)
				return fail(c, "nss", rg[i].key,
				    "range %llu-%llu overlaps the %s range %llu-%llu",
				    (unsigned long long)rg[i].lo, (unsigned long long)rg[i].hi,
				    j == 0 ? "case" : "system",
				    (unsigned long long)rg[j].lo, (unsigned long long)rg[j].hi);
		}
	}
	cfg->case_gid_min = (uint32_t)cmin;
	cfg->case_gid_max = (uint32_t)cmax;
	cfg->system_gid_min = (uint32_t)smin;
	cfg->role_gid_min = (uint32_t)rmin;
	return 0;
}

static int
load_roles(struct ctx *c)
{
	static const char *const scopes[] = { "none", "assigned", "supervised", "all" };
	struct ntk_policy *p = &c->cfg->policy;
	struct ntk_role *role;
	size_t i, n = 0;
	int scope;

	for (i = 0; i < c->nsecs; i++)
		n += c->secs[i].kind == SEC_ROLE;
	if (n > 0 && (p->roles = calloc(n, sizeof(*p->roles))) == NULL)
		return nomem(c);
	for (i = 0; i < c->nsecs; i++) {
		const struct section *s = &c->secs[i];

		if (s->kind != SEC_ROLE)
			continue;
		role = &p->roles[p->nroles++];
		if ((role->name = strdup(s->arg)) == NULL)
			return nomem(c);
		if (get(c, s->lname, "cases") == NULL)
			return fail(c, s->name, "cases", "required");
		scope = -1;
		if (get_choice(c, s->lname, "cases", scopes, 4, "", &scope) != 0)
			return fail(c, s->name, "cases", "must be assigned, supervised, all or none");
		role->scope = (enum ntk_scope)scope;
		if (get_bool(c, s->lname, "write", &role->write) != 0)
			return fail(c, s->name, "write", "must be yes or no");
		if (get_bool(c, s->lname, "closed", &role->closed) != 0)
			return fail(c, s->name, "closed", "must be yes or no");
		if (get_bool(c, s->lname, "sealed", &role->sealed) != 0)
			return fail(c, s->name, "sealed", "must be yes or no");
		if (get_bool(c, s->lname, "break_glass", &role->break_glass) != 0)
			return fail(c, s->name, "break_glass", "must be yes or no");
		if (get_bool(c, s->lname, "release", &role->release) != 0)
			return fail(c, s->name, "release", "must be yes or no");
	}
	return 0;
}

/*
 * Why a deny_message cannot be shown as it is, or NULL when it can: PAM
 * conversations, SQL clients and terminals print it to a person, so no
 * control character (C0, DEL, C1: an escape sequence, a line break) and
 * well-formed UTF-8 only.
 */
static const char *
deny_message_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n, i;

	_Static_assert(NTK_DENY_MESSAGE_MAX == 512, "the message below names the limit");
	if (strlen(s) > NTK_DENY_MESSAGE_MAX)
		return "longer than 512 bytes";
	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f)
				return "holds a control character";
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			return "is not valid UTF-8";
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return "is not valid UTF-8";
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and values past Unicode are not UTF-8. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return "is not valid UTF-8";
		if (cp >= 0x80 && cp <= 0x9f)
			return "holds a control character";
		p += n + 1;
	}
	return NULL;
}

/* [system:NAME] deny_message: optional; empty is the same as absent. */
static int
load_deny_message(struct ctx *c, const struct section *s, struct ntk_system *sys)
{
	const char *v = get(c, s->lname, "deny_message"), *why;

	if (v == NULL || v[0] == '\0')
		return 0;
	if ((why = deny_message_problem(v)) != NULL)
		return fail(c, s->name, "deny_message", "%s (it is shown to people as one line of text)",
		    why);
	if ((sys->deny_message = strdup(v)) == NULL)
		return nomem(c);
	return 0;
}

static int
load_systems(struct ctx *c)
{
	struct ntk_policy *p = &c->cfg->policy;
	struct ntk_system *sys;
	const struct ntk_role *role;
	const char *v;
	char **words = NULL;
	size_t i, j, k, n = 0, nwords = 0;
	int r = 0;

	for (i = 0; i < c->nsecs; i++)
		n += c->secs[i].kind == SEC_SYSTEM;
	if (n > 0 && (p->systems = calloc(n, sizeof(*p->systems))) == NULL)
		return nomem(c);
	for (i = 0; i < c->nsecs && r == 0; i++) {
		const struct section *s = &c->secs[i];

		if (s->kind != SEC_SYSTEM)
			continue;
		sys = &p->systems[p->nsystems++];
		if ((sys->name = strdup(s->arg)) == NULL)
			return nomem(c);
		if ((r = load_deny_message(c, s, sys)) != 0)
			return r;
		if ((v = get(c, s->lname, "roles")) == NULL)
			return fail(c, s->name, "roles", "required");
		if (split_words(v, &words, &nwords) != 0)
			return nomem(c);
		if (nwords == 0)
			r = fail(c, s->name, "roles", "must list at least one role");
		else if ((sys->role_idx = calloc(nwords, sizeof(*sys->role_idx))) == NULL)
			r = nomem(c);
		for (j = 0; j < nwords && r == 0; j++) {
			/* Ignoring case, as the directory's group names do. */
			if ((role = ntk_policy_find_role(p, words[j])) == NULL) {
				r = fail(c, s->name, "roles", "role '%s' is not defined by a [role:%s] section",
				    words[j], words[j]);
				break;
			}
			for (k = 0; k < sys->nroles; k++) {
				if (sys->role_idx[k] == (size_t)(role - p->roles))
					r = fail(c, s->name, "roles", "role '%s' is listed twice", words[j]);
			}
			sys->role_idx[sys->nroles++] = (size_t)(role - p->roles);
		}
		free_words(words, nwords);
		words = NULL;
	}
	return r;
}

/* ---- entry points ---------------------------------------------------------- */

static void
set_defaults(struct ntk_config *cfg)
{
	cfg->role_source = NTK_ROLE_SOURCE_ATTRIBUTE;
	cfg->timeout = 5;
	cfg->tls = NTK_TLS_NONE;
	cfg->threads = 4;
	cfg->max_connections_per_uid = 64;
	cfg->untrusted_idle = 60;
	cfg->untrusted_rate = 1000;
	cfg->cache_ttl = 300;
	cfg->cache_negative_ttl = 60;
	cfg->cache_offline_grace = 0;
	cfg->audit_allows = false;
	cfg->break_glass_minutes = 60;
	cfg->audit_queue = 1024;
	cfg->browsing_threshold = 5;
	cfg->audit_confirm_ms = 2000;
	cfg->audit_budget = 100;
	cfg->audit_budget_interval = 60;
	cfg->visibility = NTK_VISIBILITY_MEMBER;
	cfg->case_gid_min = 200000;
	cfg->case_gid_max = 299999;
	cfg->system_gid_min = 190000;
	cfg->role_gid_min = 191000;
	cfg->enumerate = false;
	cfg->follow_changes = true;
	cfg->nss_map = true;
	cfg->policy.supervision_depth = 2;
}

/* Free what a scan recorded. */
static void
scan_clear(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nsecs; i++) {
		free(c->secs[i].name);
		free(c->secs[i].lname);
	}
	free(c->secs);
	for (i = 0; i < c->nkeys; i++) {
		free(c->keys[i].name);
		free(c->keys[i].value);
	}
	free(c->keys);
	c->secs = NULL;
	c->keys = NULL;
	c->nsecs = c->nkeys = 0;
}

int
ntk_config_peek(const char *path, const char *section, const char *key, char **out,
    char *err, size_t errlen)
{
	struct ctx c;
	const char *v;
	FILE *fp;
	int r;

	memset(&c, 0, sizeof(c));
	c.path = path != NULL ? path : "(null)";
	c.err = err;
	c.errlen = errlen;
	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL)
		return fail(&c, NULL, NULL, "no configuration file given");
	if ((fp = fopen(path, "re")) == NULL)
		return fail(&c, NULL, NULL, "cannot open: %s", strerror(errno));
	if ((r = scan_file(&c, fp)) == 0 && (v = get(&c, section, key)) != NULL &&
	    (*out = strdup(v)) == NULL)
		r = nomem(&c);
	fclose(fp);
	scan_clear(&c);
	return r;
}

int
ntk_config_load(const char *path, struct ntk_config *out, char *err, size_t errlen)
{
	struct ctx c;
	FILE *fp = NULL;
	int r;

	memset(&c, 0, sizeof(c));
	c.path = path != NULL ? path : "(null)";
	c.err = err;
	c.errlen = errlen;
	c.cfg = out;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || path == NULL) {
		r = fail(&c, NULL, NULL, "no configuration file given");
		goto out;
	}
	memset(out, 0, sizeof(*out));
	set_defaults(out);
	if ((out->path = strdup(path)) == NULL) {
		r = nomem(&c);
		goto out;
	}
	if ((fp = fopen(path, "re")) == NULL) {
		r = fail(&c, NULL, NULL, "cannot open: %s", strerror(errno));
		goto out;
	}

	if ((r = scan_file(&c, fp)) != 0 ||
	    (r = load_roles(&c)) != 0 || (r = load_systems(&c)) != 0 ||
	    (r = load_ldap(&c)) != 0 || (r = load_daemon(&c)) != 0 ||
	    (r = load_cache_audit(&c)) != 0 || (r = load_nss(&c)) != 0)
		goto out;
	r = 0;
 out:
	if (fp != NULL)
		fclose(fp);
	scan_clear(&c);
	if (r != 0)
		ntk_config_clear(out);
	return r;
}

void
ntk_config_clear(struct ntk_config *config)
{
	if (config == NULL)
		return;
	free(config->path);
	free_words(config->uris, config->nuris);
	free(config->base);
	free(config->binddn);
	free(config->bindpw_file);
	if (config->bindpw != NULL) {
		explicit_bzero(config->bindpw, strlen(config->bindpw));
		free(config->bindpw);
	}
	free(config->user_filter);
	free(config->role_attribute);
	free(config->case_attribute);
	free(config->manager_attribute);
	free(config->role_group_filter);
	free(config->role_group_attribute);
	free(config->tls_cacert);
	free(config->krb5_keytab);
	free(config->krb5_principal);
	free(config->tls_cert);
	free(config->tls_key);
	free(config->name_attribute);
	free(config->staff_filter);
	free(config->socket);
	free(config->auditd_pid_file);
	free(config->auditd_log_file);
	free_words(config->trusted_peers, config->ntrusted_peers);
	ntk_policy_clear(&config->policy);
	memset(config, 0, sizeof(*config));
}
