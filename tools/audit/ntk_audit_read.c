/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading needtoknow's decisions out of auditd's logs with libauparse, decoded and filtered. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <auparse.h>
#include <libaudit.h>  /* record type numbers only */
#include <zlib.h>

#include "ntk_err.h"
#include "ntk_audit.h"

/* The fields we keep, in a per-record arena (reset for every record). */
enum fid { F_ACCT, F_SYSTEM, F_CASE, F_CASES, F_ACCESS, F_STATE, F_REASON, F_RULE,
	F_PEER_EXE, F_PEER_PID, F_PEER_UID, F_GRANT_ID, F_JUSTIFICATION, F_MINUTES, F_GRANT_NODE,
	F_GRANT_SERIAL, F_GRANT_TIME, F_REVIEWER, F_NOTE,
	F_HOSTNAME, F_ADDR, F_RES, F_UID, F_NODE, F_N };

static const struct {
	const char *name;
	bool encoded;                  /* written with audit_encode_nv_string */
} fields[F_N] = {
	[F_ACCT] = { "acct", true },
	[F_SYSTEM] = { "system", true },
	[F_CASE] = { "case", true },
	[F_CASES] = { "cases", true },
	[F_ACCESS] = { "access", false },
	[F_STATE] = { "state", false },
	[F_REASON] = { "reason", false },
	[F_RULE] = { "rule", false },
	[F_PEER_EXE] = { "peer_exe", true },
	[F_PEER_PID] = { "peer_pid", false },
	[F_PEER_UID] = { "peer_uid", false },
	[F_GRANT_ID] = { "grant_id", false },
	[F_JUSTIFICATION] = { "justification", true },
	[F_MINUTES] = { "minutes", false },
	[F_GRANT_NODE] = { "grant_node", true },
	[F_GRANT_SERIAL] = { "grant_serial", false },
	[F_GRANT_TIME] = { "grant_time", false },
	[F_REVIEWER] = { "reviewer", true },
	[F_NOTE] = { "note", true },
	[F_HOSTNAME] = { "hostname", false },
	[F_ADDR] = { "addr", false },
	[F_RES] = { "res", false },
	[F_UID] = { "uid", false },
	[F_NODE] = { "node", false },
};

struct arena {
	char *data;
	size_t len, cap;
	long off[F_N];                 /* -1: field absent */
};

const char *
ntk_audit_op_name(enum ntk_audit_op op)
{
	switch (op) {
	case NTK_AUDIT_OP_LOGIN: return "login";
	case NTK_AUDIT_OP_CASE: return "case";
	case NTK_AUDIT_OP_STATEMENT: return "statement";
	case NTK_AUDIT_OP_BREAK_GLASS: return "break-glass";
	case NTK_AUDIT_OP_REVIEW: return "review";
	}
	return "?";
}

static int
arena_put(struct arena *a, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (a->len + n + 1 > a->cap) {
		cap = a->cap ? a->cap : 256;
		while (a->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(a->data, cap)) == NULL)
			return NTK_ERR_NOMEM;
		a->data = p;
		a->cap = cap;
	}
	memcpy(a->data + a->len, s, n);
	a->len += n;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool
is_hex(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (hexval((unsigned char)s[n]) < 0)
			return false;
	return n >= 2 && n % 2 == 0;
}

/*
 * Store the current field's value. audit_encode_nv_string writes `"text"`
 * (only when the text holds no quote, blank or control) or hex. auparse
 * decodes these only for the fields it knows (acct) and, for unknown names,
 * strips quotes in some record types and not in others (USER_ACCT), so both
 * forms are undone here from auparse's raw field value. A decoded NUL
 * (impossible from a C string, so forged) becomes U+FFFD.
 */
static int
store_field(auparse_state_t *au, struct arena *a, enum fid id)
{
	const char *s = auparse_get_field_str(au);
	size_t n;
	char b;
	int r;

	if (s == NULL)
		s = "";
	n = strlen(s);
	a->off[id] = (long)a->len;
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		r = arena_put(a, s + 1, n - 2);
	} else if (fields[id].encoded && is_hex(s)) {
		r = 0;
		for (; s[0] != '\0' && r == 0; s += 2) {
			b = (char)(hexval((unsigned char)s[0]) << 4 | hexval((unsigned char)s[1]));
			r = b == '\0' ? arena_put(a, "\xef\xbf\xbd", 3) : arena_put(a, &b, 1);
		}
	} else
		r = arena_put(a, s, n);
	if (r == 0)
		r = arena_put(a, "", 1);
	return r;
}

static const char *
get(const struct arena *a, enum fid id)
{
	return a->off[id] < 0 ? NULL : a->data + a->off[id];
}

static bool
in_list(const char *const *vals, size_t n, const char *v)
{
	size_t i;

	if (n == 0)
		return true;
	if (v == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(vals[i], v) == 0)
			return true;
	return false;
}

/* A case filter matches case=, or one entry of a statement's comma-separated cases=. */
bool
ntk_audit_case_matches(const struct ntk_audit_rec *r, const char *want)
{
	const char *p, *e;
	size_t n = strlen(want);

	if (r->case_id == NULL)
		return false;
	if (r->op != NTK_AUDIT_OP_STATEMENT)
		return strcmp(r->case_id, want) == 0;
	for (p = r->case_id;; p = e + 1) {
		e = strchr(p, ',');
		if (e == NULL)
			return strcmp(p, want) == 0;
		if ((size_t)(e - p) == n && memcmp(p, want, n) == 0)
			return true;
	}
}

static bool
passes(const struct ntk_audit_opts *o, const struct ntk_audit_rec *r)
{
	size_t i;

	if (o->result == NTK_AUDIT_DENIED_ONLY && r->allowed)
		return false;
	if (o->result == NTK_AUDIT_ALLOWED_ONLY && !r->allowed)
		return false;
	/* a review may be written on another server than its grant: it goes with the grant's node */
	if (!in_list(o->users, o->nusers, r->user) || !in_list(o->systems, o->nsystems, r->system) ||
	    !in_list(o->reasons, o->nreasons, r->reason) || !in_list(o->nodes, o->nnodes,
	    r->op == NTK_AUDIT_OP_REVIEW ? r->grant_node : r->node))
		return false;
	if (o->ncases == 0)
		return true;
	for (i = 0; i < o->ncases; i++)
		if (ntk_audit_case_matches(r, o->cases[i]))
			return true;
	return false;
}

static int
parse_op(const char *op, enum ntk_audit_op *out)
{
	if (strcmp(op, "ntk-login") == 0)
		*out = NTK_AUDIT_OP_LOGIN;
	else if (strcmp(op, "ntk-case") == 0)
		*out = NTK_AUDIT_OP_CASE;
	else if (strcmp(op, "ntk-statement") == 0)
		*out = NTK_AUDIT_OP_STATEMENT;
	else if (strcmp(op, "ntk-break-glass") == 0)
		*out = NTK_AUDIT_OP_BREAK_GLASS;
	else if (strcmp(op, "ntk-review") == 0)
		*out = NTK_AUDIT_OP_REVIEW;
	else
		return NTK_ERR_NOT_FOUND;
	return 0;
}

/*
 * One record at auparse's cursor. The fields of ntkd's message come first
 * (op= leads); libaudit then appends exe=, hostname=, addr=, terminal= and
 * res=. hostname and terminal are not encoded by libaudit, so a hostile one
 * could add fields: we take the message fields only before exe=, the first
 * hostname=, and the last addr= and res= (the real ones are written last).
 * Returns 1 for a needtoknow record (filled in `rec`), 0 to ignore it.
 */
static int
extract(auparse_state_t *au, struct arena *a, struct ntk_audit_rec *rec)
{
	enum { BEFORE_OP, IN_MSG, AFTER_EXE } where = BEFORE_OP;
	const char *name, *s;
	size_t i;
	int r, id;

	a->len = 0;
	for (i = 0; i < F_N; i++)
		a->off[i] = -1;
	if (auparse_first_field(au) <= 0)
		return 0;
	do {
		name = auparse_get_field_name(au);
		if (name == NULL)
			continue;
		if (where == BEFORE_OP) {
			/* the kernel's uid= of the writer comes before the message */
			if (strcmp(name, "uid") == 0 && a->off[F_UID] < 0 &&
			    (r = store_field(au, a, F_UID)) != 0)
				return r;
			if (strcmp(name, "op") != 0)
				continue;
			s = auparse_get_field_str(au);
			if (s == NULL || parse_op(s, &rec->op) != 0)
				return 0;      /* the first op= decides: not ours */
			where = IN_MSG;
			continue;
		}
		if (strcmp(name, "exe") == 0 && where == IN_MSG) {
			where = AFTER_EXE;
			continue;
		}
		id = -1;
		if (where == IN_MSG) {
			for (i = 0; i < F_HOSTNAME; i++) {
				if (strcmp(name, fields[i].name) == 0) {
					id = (int)i;
					break;
				}
			}
			if (id >= 0 && a->off[id] >= 0)
				id = -1;       /* first occurrence wins */
		} else if (where == AFTER_EXE) {
			if (strcmp(name, "hostname") == 0 && a->off[F_HOSTNAME] < 0)
				id = F_HOSTNAME;
			else if (strcmp(name, "addr") == 0)
				id = F_ADDR;
			else if (strcmp(name, "res") == 0)
				id = F_RES;
		}
		if (id >= 0 && (r = store_field(au, a, (enum fid)id)) != 0)
			return r;
	} while (auparse_next_field(au) > 0);
	if (where == BEFORE_OP)
		return 0;
	/*
	 * Anything but an explicit success is a denial: fail closed in the report
	 * too. A hostname holding the enriched-format separator (0x1d) makes
	 * auparse drop the rest of the record, res= included: still a denial.
	 */
	s = get(a, F_RES);
	rec->allowed = s != NULL && (strcmp(s, "success") == 0 || strcmp(s, "1") == 0);
	rec->user = get(a, F_ACCT);
	rec->system = get(a, F_SYSTEM);
	rec->case_id = rec->op == NTK_AUDIT_OP_STATEMENT ? get(a, F_CASES) : get(a, F_CASE);
	rec->access = rec->op == NTK_AUDIT_OP_LOGIN ? "login" : get(a, F_ACCESS);
	rec->state = get(a, F_STATE);
	rec->reason = get(a, F_REASON) ? get(a, F_REASON) : get(a, F_RULE);
	rec->peer_exe = get(a, F_PEER_EXE);
	rec->peer_pid = get(a, F_PEER_PID);
	rec->peer_uid = get(a, F_PEER_UID);
	rec->sender_uid = get(a, F_UID);
	rec->grant_id = get(a, F_GRANT_ID);
	rec->justification = get(a, F_JUSTIFICATION);
	rec->minutes = get(a, F_MINUTES);
	rec->grant_node = get(a, F_GRANT_NODE);
	rec->grant_serial = get(a, F_GRANT_SERIAL);
	rec->grant_time = get(a, F_GRANT_TIME);
	rec->reviewer = get(a, F_REVIEWER);
	rec->note = get(a, F_NOTE);
	/*
	 * A review counts only when root wrote it (ntkctl review as root): the
	 * kernel sets uid=, and a user without CAP_AUDIT_WRITE cannot write at all.
	 */
	if (rec->op == NTK_AUDIT_OP_REVIEW &&
	    (rec->sender_uid == NULL || strcmp(rec->sender_uid, "0") != 0))
		return 0;
	rec->host = get(a, F_HOSTNAME);
	if (rec->host == NULL || strcmp(rec->host, "?") == 0 || rec->host[0] == '\0')
		rec->host = get(a, F_ADDR);
	if (rec->host != NULL && strcmp(rec->host, "?") == 0)
		rec->host = NULL;
	return 1;
}

struct reader {
	const struct ntk_audit_opts *o;
	ntk_audit_rec_fn fn;
	void *ctx;
	struct arena a;
	char *node;                    /* of the current event */
	int rc;                        /* first error; stops the feeding */
};

/* auparse calls this for every complete event. */
static void
on_event(auparse_state_t *au, auparse_cb_event_t what, void *user)
{
	struct reader *rd = user;
	struct ntk_audit_rec rec;
	time_t t;
	int r, type;

	if (what != AUPARSE_CB_EVENT_READY || rd->rc != 0 || auparse_first_record(au) <= 0)
		return;
	do {
		type = auparse_get_type(au);
		if (type != AUDIT_USER_ACCT && type != AUDIT_TRUSTED_APP)
			continue;
		t = auparse_get_time(au);
		/* break-glass: the window picks grants; their accesses and reviews may fall after it */
		if (rd->o->view != NTK_AUDIT_BREAK_GLASS &&
		    ((rd->o->have_since && t < rd->o->since) || (rd->o->have_until && t > rd->o->until)))
			continue;
		memset(&rec, 0, sizeof(rec));
		if ((r = extract(au, &rd->a, &rec)) <= 0) {
			if (r < 0)
				rd->rc = r;
			continue;
		}
		rec.sec = t;
		rec.msec = auparse_get_milli(au);
		rec.serial = auparse_get_serial(au);
		free(rd->node);
		rd->node = (char *)auparse_get_node(au);
		rec.node = rd->node;
		if (passes(rd->o, &rec) && (rd->rc = rd->fn(&rec, rd->ctx)) != 0)
			return;
	} while (auparse_next_record(au) > 0);
}

/* "cannot read FILE: why", and for a permission error the group that may read auditd's logs. */
static void
say_unreadable(const char *path, int err)
{
	char group[256];

	if ((err == EACCES || err == EPERM) && ntk_audit_log_group(group, sizeof(group)) == 0)
		fprintf(stderr, "ntkctl audit: cannot read %s: %s (auditd.conf log_group is %s: "
		    "run as root or as a member of %s)\n", path, strerror(err), group, group);
	else
		fprintf(stderr, "ntkctl audit: cannot read %s: %s\n", path, strerror(err));
}

/*
 * Feed one file (or stdin) to auparse in blocks; a last line without its
 * newline gets one. zlib reads gzipped rotations and passes plain files as
 * they are.
 */
static int
feed_file(auparse_state_t *au, struct reader *rd, const char *path, bool is_stdin)
{
	char buf[65536];
	gzFile f;
	int n, fd, err;
	char last = '\n';
	int r = 0;

	fd = is_stdin ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (f = gzdopen(fd, "rb")) == NULL) {
		err = errno;
		if (fd >= 0)
			close(fd);
		say_unreadable(path, err);
		return NTK_ERR_IO;
	}
	gzbuffer(f, sizeof(buf));      /* zlib's 8 KiB default means more, smaller reads */
	while (rd->rc == 0 && (n = gzread(f, buf, sizeof(buf))) > 0) {
		last = buf[n - 1];
		if (auparse_feed(au, buf, (size_t)n) != 0) {
			r = NTK_ERR_NOMEM;
			break;
		}
	}
	/* a truncated .gz ends with data and Z_BUF_ERROR, not with n < 0 */
	if (r == 0 && rd->rc == 0 && (gzerror(f, &err), err != Z_OK && err != Z_STREAM_END)) {
		const char *why = gzerror(f, &err);

		fprintf(stderr, "ntkctl audit: cannot read %s: %s\n", path,
		    err == Z_ERRNO ? strerror(errno) : why);
		r = NTK_ERR_IO;
	}
	if (r == 0 && last != '\n' && auparse_feed(au, "\n", 1) != 0)
		r = NTK_ERR_NOMEM;
	gzclose(f);
	return r;
}

/*
 * Stream every event; call `fn` for each needtoknow record that passes the
 * filters. We read the files and feed auparse (AUSOURCE_FEED) rather than
 * let it open them (AUSOURCE_FILE_ARRAY/LOGS): in libauparse 3.0.9 those
 * keep ~340 bytes per record until the end (340 MB for 1M records), the
 * feed stays flat. Parsing is auparse's either way.
 */
int
ntk_audit_read(const struct ntk_audit_opts *o, ntk_audit_rec_fn fn, void *ctx, bool *incomplete)
{
	struct reader rd;
	auparse_state_t *au = NULL;
	char **logs = NULL;
	bool is_stdin;
	size_t i;
	int r = 0;

	memset(&rd, 0, sizeof(rd));
	rd.o = o;
	rd.fn = fn;
	rd.ctx = ctx;
	is_stdin = o->ninputs == 1 && strcmp(o->inputs[0], "-") == 0;
	if ((r = ntk_audit_logs(o, &logs, incomplete)) != 0)
		goto out;
	/* an unreadable file is an error before anything is printed */
	for (i = 0; !is_stdin && logs[i] != NULL; i++) {
		if (access(logs[i], R_OK) != 0) {
			say_unreadable(logs[i], errno);
			r = NTK_ERR_IO;
			goto out;
		}
	}
	if ((au = auparse_init(AUSOURCE_FEED, NULL)) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	auparse_add_callback(au, on_event, &rd, NULL);
	for (i = 0; logs[i] != NULL && r == 0 && rd.rc == 0; i++)
		r = feed_file(au, &rd, is_stdin ? "standard input" : logs[i], is_stdin);
	if (r == 0 && rd.rc == 0)
		auparse_flush_feed(au);
	if (r == 0)
		r = rd.rc;
out:
	auparse_destroy(au);
	ntk_audit_logs_free(logs);
	free(rd.a.data);
	free(rd.node);
	return r;
}
