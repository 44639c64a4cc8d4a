/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check tests for ntk_proto: round trips, framing, truncation, trailing bytes and hostile values. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ntk_buf.h"
#include "ntk_err.h"
#include "ntk_policy.h"
#include "ntk_proto.h"

/*
 * Allocation watch: the test links with -Wl,--wrap=malloc,--wrap=calloc so
 * it can see the largest single request the codec makes while decoding.
 */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);

static size_t largest_alloc;

void *
__wrap_malloc(size_t n)
{
	if (n > largest_alloc)
		largest_alloc = n;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	if (size != 0 && n <= SIZE_MAX / size && n * size > largest_alloc)
		largest_alloc = n * size;
	else if (size != 0 && n > SIZE_MAX / size)
		largest_alloc = SIZE_MAX;
	return __real_calloc(n, size);
}

/* ---- fixtures ----------------------------------------------------------- */

static struct ntk_check_req fx_check_req = {
	.user = "alice", .system = "FACTS", .action = NTK_ACTION_READ,
	.case_id = "C-1001", .state = NTK_STATE_CLOSED, .reason = "court order 12",
	.rhost = "10.0.0.5", .tty = "pts/3",
	.flags = NTK_CHECK_DRY_RUN | NTK_CHECK_EXPLAIN,
};

static struct ntk_check_rep fx_check_rep = {
	.outcome = NTK_ALLOW_ROLE, .verdict = "ALLOW rule=role:legal",
	.explain = "role legal: cases=all",
	.grant_expires = 1728003600,
	.deny_message = "Requests go to the Legal Division, ext. 4410 \xc3\xa9",
};

static struct ntk_facts_req fx_facts_req = { .user = "bob", .system = "FACTS" };

static struct ntk_role fx_roles[] = {
	{ .name = "social_worker", .scope = NTK_SCOPE_ASSIGNED, .write = true },
	{ .name = "supervisor", .scope = NTK_SCOPE_SUPERVISED, .write = true, .closed = true },
	{ .name = "legal", .scope = NTK_SCOPE_ALL, .closed = true, .sealed = true, .break_glass = true,
	  .release = true },
	{ .name = "clerk", .scope = NTK_SCOPE_NONE },
};
static size_t fx_sys0_idx[] = { 0, 2, 3 };
static size_t fx_sys1_idx[] = { 1 };
static struct ntk_system fx_systems[] = {
	{ .name = "FACTS", .role_idx = fx_sys0_idx, .nroles = 3 },
	{ .name = "LEDGER", .role_idx = fx_sys1_idx, .nroles = 1 },
};
static char *fx_subject_roles[] = { "social_worker", "legal" };
static struct ntk_assignment fx_assignments[] = {
	{ .case_id = "C-1001", .system = NULL, .until = NTK_NO_END, .read_only = false },
	{ .case_id = "0123456789012345678901234567890123456789012345678901234567891234",
	  .system = "FACTS", .until = 20100, .read_only = true },
};
static struct ntk_supervised fx_supervised[] = {
	{ .assignment = { .case_id = "C-7", .system = "LEDGER", .until = -5, .read_only = false },
	  .holder = "carol", .depth = 2 },
};
static struct ntk_grant fx_grants[] = {
	{ .case_id = "C-9", .system = "FACTS", .expires = 1728003600 },
	{ .case_id = "x", .system = "COURTS", .expires = -1 },
};

static struct ntk_facts_rep fx_facts_rep = {
	.outcome = NTK_ALLOW_SYSTEM_ACCESS,
	.clock = { .today = 20000, .now = 1728000000 },
	.max_age = 30,
	.deny_message = "Ask Legal, ext. 4410",
	.policy = { .roles = fx_roles, .nroles = 4, .systems = fx_systems,
	    .nsystems = 2, .supervision_depth = 2 },
	.subject = { .found = true, .name = "alice", .roles = fx_subject_roles,
	    .nroles = 2, .assignments = fx_assignments, .nassignments = 2,
	    .supervised = fx_supervised, .nsupervised = 1,
	    .grants = fx_grants, .ngrants = 2 },
};

/* A denial carries no facts. */
static struct ntk_facts_rep fx_facts_deny = {
	.outcome = NTK_DENY_UNKNOWN_USER,
	.clock = { .today = 1, .now = 2 },
	.deny_message = "Not on FACTS? Ask your supervisor.",
};

static char *fx_report_cases[] = { "C-1", "C-2", "C-3" };
static struct ntk_report_req fx_report_req = {
	.user = "postgres-app", .system = "FACTS", .action = NTK_ACTION_WRITE,
	.outcome = NTK_DENY_CASE_SEALED, .rows = 17, .query_id = "q-42",
	.cases = fx_report_cases, .ncases = 3,
};

static char *fx_members[] = { "alice", "bob" };
static struct ntk_group fx_groups[] = {
	{ .name = "ntk-case-1001", .gid = 70001, .members = fx_members, .nmembers = 2 },
	{ .name = "ntk-sys-FACTS", .gid = 4294967295u, .members = NULL, .nmembers = 0 },
};
static struct ntk_group_list fx_group_list = { .groups = fx_groups, .ngroups = 2 };

static uint32_t fx_gids[] = { 70001, 0, 4294967295u };
static struct ntk_gid_list fx_gid_list = { .gids = fx_gids, .ngids = 3 };

/* ---- comparisons -------------------------------------------------------- */

static void
str_eq_or_empty(const char *got, const char *want)
{
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want != NULL ? want : "");
}

static void
cmp_assignment(const struct ntk_assignment *g, const struct ntk_assignment *w)
{
	ck_assert_str_eq(g->case_id, w->case_id);
	if (w->system == NULL || w->system[0] == '\0')
		ck_assert_ptr_null(g->system);
	else
		ck_assert_str_eq(g->system, w->system);
	ck_assert_int_eq(g->until, w->until);
	ck_assert_int_eq(g->read_only, w->read_only);
}

static void
cmp_facts_rep(const struct ntk_facts_rep *g, const struct ntk_facts_rep *w)
{
	size_t i, j;

	ck_assert_int_eq(g->outcome, w->outcome);
	ck_assert_int_eq(g->clock.today, w->clock.today);
	ck_assert(g->clock.now == w->clock.now);
	ck_assert_uint_eq(g->max_age, w->max_age);
	str_eq_or_empty(g->deny_message, w->deny_message);
	ck_assert_uint_eq(g->policy.supervision_depth, w->policy.supervision_depth);
	ck_assert_uint_eq(g->policy.nroles, w->policy.nroles);
	for (i = 0; i < w->policy.nroles; i++) {
		ck_assert_str_eq(g->policy.roles[i].name, w->policy.roles[i].name);
		ck_assert_int_eq(g->policy.roles[i].scope, w->policy.roles[i].scope);
		ck_assert_int_eq(g->policy.roles[i].write, w->policy.roles[i].write);
		ck_assert_int_eq(g->policy.roles[i].closed, w->policy.roles[i].closed);
		ck_assert_int_eq(g->policy.roles[i].sealed, w->policy.roles[i].sealed);
		ck_assert_int_eq(g->policy.roles[i].break_glass, w->policy.roles[i].break_glass);
		ck_assert_int_eq(g->policy.roles[i].release, w->policy.roles[i].release);
	}
	ck_assert_uint_eq(g->policy.nsystems, w->policy.nsystems);
	for (i = 0; i < w->policy.nsystems; i++) {
		ck_assert_str_eq(g->policy.systems[i].name, w->policy.systems[i].name);
		ck_assert_uint_eq(g->policy.systems[i].nroles, w->policy.systems[i].nroles);
		for (j = 0; j < w->policy.systems[i].nroles; j++)
			ck_assert_uint_eq(g->policy.systems[i].role_idx[j],
			    w->policy.systems[i].role_idx[j]);
	}
	ck_assert_int_eq(g->subject.found, w->subject.found);
	str_eq_or_empty(g->subject.name, w->subject.name);
	ck_assert_uint_eq(g->subject.nroles, w->subject.nroles);
	for (i = 0; i < w->subject.nroles; i++)
		ck_assert_str_eq(g->subject.roles[i], w->subject.roles[i]);
	ck_assert_uint_eq(g->subject.nassignments, w->subject.nassignments);
	for (i = 0; i < w->subject.nassignments; i++)
		cmp_assignment(&g->subject.assignments[i], &w->subject.assignments[i]);
	ck_assert_uint_eq(g->subject.nsupervised, w->subject.nsupervised);
	for (i = 0; i < w->subject.nsupervised; i++) {
		cmp_assignment(&g->subject.supervised[i].assignment,
		    &w->subject.supervised[i].assignment);
		ck_assert_str_eq(g->subject.supervised[i].holder, w->subject.supervised[i].holder);
		ck_assert_uint_eq(g->subject.supervised[i].depth, w->subject.supervised[i].depth);
	}
	ck_assert_uint_eq(g->subject.ngrants, w->subject.ngrants);
	for (i = 0; i < w->subject.ngrants; i++) {
		ck_assert_str_eq(g->subject.grants[i].case_id, w->subject.grants[i].case_id);
		ck_assert_str_eq(g->subject.grants[i].system, w->subject.grants[i].system);
		ck_assert(g->subject.grants[i].expires == w->subject.grants[i].expires);
	}
}

static void
cmp_group(const struct ntk_group *g, const struct ntk_group *w)
{
	size_t i;

	ck_assert_str_eq(g->name, w->name);
	ck_assert_uint_eq(g->gid, w->gid);
	ck_assert_uint_eq(g->nmembers, w->nmembers);
	for (i = 0; i < w->nmembers; i++)
		ck_assert_str_eq(g->members[i], w->members[i]);
}

static int
all_zero(const void *p, size_t n)
{
	const uint8_t *u = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (u[i] != 0)
			return 0;
	return 1;
}

/* ---- one table entry per message body ----------------------------------- */

/*
 * enc appends the fixture's body; dec decodes a body and, when `verify`,
 * compares it with the fixture. dec always frees what it decoded and checks
 * that a failed decode left its output zeroed.
 */
struct msg {
	const char *name;
	uint16_t type;
	int (*enc)(struct ntk_buf *);
	int (*dec)(struct ntk_buf *, int verify);
};

static int enc_ping(struct ntk_buf *b) { (void)b; return 0; }
static int
dec_ping(struct ntk_buf *b, int verify)
{
	(void)verify;
	return ntk_proto_expect_end(b);
}

static int enc_check_req(struct ntk_buf *b) { return ntk_proto_encode_check_req(b, &fx_check_req); }
static int
dec_check_req(struct ntk_buf *b, int verify)
{
	struct ntk_check_req o;
	int r = ntk_proto_decode_check_req(b, &o);

	if (r == 0 && verify) {
		ck_assert_str_eq(o.user, fx_check_req.user);
		ck_assert_str_eq(o.system, fx_check_req.system);
		ck_assert_int_eq(o.action, fx_check_req.action);
		ck_assert_str_eq(o.case_id, fx_check_req.case_id);
		ck_assert_int_eq(o.state, fx_check_req.state);
		ck_assert_str_eq(o.reason, fx_check_req.reason);
		ck_assert_str_eq(o.rhost, fx_check_req.rhost);
		ck_assert_str_eq(o.tty, fx_check_req.tty);
		ck_assert_uint_eq(o.flags, fx_check_req.flags);
	}
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_check_req_clear(&o);
	return r;
}

static int enc_check_rep(struct ntk_buf *b) { return ntk_proto_encode_check_rep(b, &fx_check_rep); }
static int
dec_check_rep(struct ntk_buf *b, int verify)
{
	struct ntk_check_rep o;
	int r = ntk_proto_decode_check_rep(b, &o);

	if (r == 0 && verify) {
		ck_assert_int_eq(o.outcome, fx_check_rep.outcome);
		ck_assert_str_eq(o.verdict, fx_check_rep.verdict);
		ck_assert_str_eq(o.explain, fx_check_rep.explain);
		ck_assert(o.grant_expires == fx_check_rep.grant_expires);
		ck_assert_str_eq(o.deny_message, fx_check_rep.deny_message);
	}
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_check_rep_clear(&o);
	return r;
}

static int enc_facts_req(struct ntk_buf *b) { return ntk_proto_encode_facts_req(b, &fx_facts_req); }
static int
dec_facts_req(struct ntk_buf *b, int verify)
{
	struct ntk_facts_req o;
	int r = ntk_proto_decode_facts_req(b, &o);

	if (r == 0 && verify) {
		ck_assert_str_eq(o.user, fx_facts_req.user);
		ck_assert_str_eq(o.system, fx_facts_req.system);
	}
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_facts_req_clear(&o);
	return r;
}

static int enc_facts_rep(struct ntk_buf *b) { return ntk_proto_encode_facts_rep(b, &fx_facts_rep); }
static int
dec_facts_rep(struct ntk_buf *b, int verify)
{
	struct ntk_facts_rep o;
	int r = ntk_proto_decode_facts_rep(b, &o);

	if (r == 0 && verify)
		cmp_facts_rep(&o, &fx_facts_rep);
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_facts_rep_clear(&o);
	return r;
}

static int enc_facts_deny(struct ntk_buf *b) { return ntk_proto_encode_facts_rep(b, &fx_facts_deny); }
static int
dec_facts_deny(struct ntk_buf *b, int verify)
{
	struct ntk_facts_rep o;
	int r = ntk_proto_decode_facts_rep(b, &o);

	if (r == 0 && verify) {
		cmp_facts_rep(&o, &fx_facts_deny);
		ck_assert_ptr_null(o.policy.roles);
		ck_assert_ptr_null(o.subject.assignments);
	}
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_facts_rep_clear(&o);
	return r;
}

static int enc_report_req(struct ntk_buf *b) { return ntk_proto_encode_report_req(b, &fx_report_req); }
static int
dec_report_req(struct ntk_buf *b, int verify)
{
	struct ntk_report_req o;
	size_t i;
	int r = ntk_proto_decode_report_req(b, &o);

	if (r == 0 && verify) {
		ck_assert_str_eq(o.user, fx_report_req.user);
		ck_assert_str_eq(o.system, fx_report_req.system);
		ck_assert_int_eq(o.action, fx_report_req.action);
		ck_assert_int_eq(o.outcome, fx_report_req.outcome);
		ck_assert_uint_eq(o.rows, fx_report_req.rows);
		ck_assert_str_eq(o.query_id, fx_report_req.query_id);
		ck_assert_uint_eq(o.ncases, fx_report_req.ncases);
		for (i = 0; i < o.ncases; i++)
			ck_assert_str_eq(o.cases[i], fx_report_req.cases[i]);
	}
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_report_req_clear(&o);
	return r;
}

static int enc_group(struct ntk_buf *b) { return ntk_proto_encode_group(b, &fx_groups[0]); }
static int
dec_group(struct ntk_buf *b, int verify)
{
	struct ntk_group o;
	int r = ntk_proto_decode_group(b, &o);

	if (r == 0 && verify)
		cmp_group(&o, &fx_groups[0]);
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_group_clear(&o);
	return r;
}

static int enc_group_list(struct ntk_buf *b) { return ntk_proto_encode_group_list(b, &fx_group_list); }
static int
dec_group_list(struct ntk_buf *b, int verify)
{
	struct ntk_group_list o;
	size_t i;
	int r = ntk_proto_decode_group_list(b, &o);

	if (r == 0 && verify) {
		ck_assert_uint_eq(o.ngroups, fx_group_list.ngroups);
		for (i = 0; i < o.ngroups; i++)
			cmp_group(&o.groups[i], &fx_group_list.groups[i]);
	}
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_group_list_clear(&o);
	return r;
}

static int enc_gid_list(struct ntk_buf *b) { return ntk_proto_encode_gid_list(b, &fx_gid_list); }
static int
dec_gid_list(struct ntk_buf *b, int verify)
{
	struct ntk_gid_list o;
	size_t i;
	int r = ntk_proto_decode_gid_list(b, &o);

	if (r == 0 && verify) {
		ck_assert_uint_eq(o.ngids, fx_gid_list.ngids);
		for (i = 0; i < o.ngids; i++)
			ck_assert_uint_eq(o.gids[i], fx_gid_list.gids[i]);
	}
	if (r != 0)
		ck_assert(all_zero(&o, sizeof(o)));
	ntk_gid_list_clear(&o);
	return r;
}

static int enc_str(struct ntk_buf *b) { return ntk_proto_encode_str(b, "status=ok\nhits=3\n"); }
static int
dec_str(struct ntk_buf *b, int verify)
{
	char *s;
	int r = ntk_proto_decode_str(b, &s);

	if (r == 0 && verify)
		ck_assert_str_eq(s, "status=ok\nhits=3\n");
	if (r != 0)
		ck_assert_ptr_null(s);
	free(s);
	return r;
}

static int enc_u32(struct ntk_buf *b) { return ntk_proto_encode_u32(b, 0xfeedf00d); }
static int
dec_u32(struct ntk_buf *b, int verify)
{
	uint32_t v;
	int r = ntk_proto_decode_u32(b, &v);

	if (r == 0 && verify)
		ck_assert_uint_eq(v, 0xfeedf00d);
	if (r != 0)
		ck_assert_uint_eq(v, 0);
	return r;
}

static int enc_error(struct ntk_buf *b) { return ntk_proto_encode_error(b, NTK_ERR_DENIED, "peer may not ask"); }
static int
dec_error(struct ntk_buf *b, int verify)
{
	char *m;
	int code, r = ntk_proto_decode_error(b, &code, &m);

	if (r == 0 && verify) {
		ck_assert_int_eq(code, NTK_ERR_DENIED);
		ck_assert_str_eq(m, "peer may not ask");
	}
	if (r != 0) {
		ck_assert_int_eq(code, 0);
		ck_assert_ptr_null(m);
	}
	free(m);
	return r;
}

static const struct msg msgs[] = {
	{ "ping", NTK_MSG_PING, enc_ping, dec_ping },
	{ "check_req", NTK_MSG_CHECK, enc_check_req, dec_check_req },
	{ "check_rep", NTK_MSG_CHECK | NTK_MSG_REPLY, enc_check_rep, dec_check_rep },
	{ "facts_req", NTK_MSG_FACTS, enc_facts_req, dec_facts_req },
	{ "facts_rep", NTK_MSG_FACTS | NTK_MSG_REPLY, enc_facts_rep, dec_facts_rep },
	{ "facts_rep_deny", NTK_MSG_FACTS | NTK_MSG_REPLY, enc_facts_deny, dec_facts_deny },
	{ "report_req", NTK_MSG_REPORT, enc_report_req, dec_report_req },
	{ "group", NTK_MSG_GROUP_BY_NAME | NTK_MSG_REPLY, enc_group, dec_group },
	{ "group_list", NTK_MSG_GROUP_LIST | NTK_MSG_REPLY, enc_group_list, dec_group_list },
	{ "gid_list", NTK_MSG_INITGROUPS | NTK_MSG_REPLY, enc_gid_list, dec_gid_list },
	{ "str", NTK_MSG_STATUS | NTK_MSG_REPLY, enc_str, dec_str },
	{ "u32", NTK_MSG_FLUSH | NTK_MSG_REPLY, enc_u32, dec_u32 },
	{ "error", NTK_MSG_ERROR, enc_error, dec_error },
};
#define NMSGS (sizeof(msgs) / sizeof(msgs[0]))

/* Frame message i into b. */
static void
frame(struct ntk_buf *b, size_t i)
{
	ntk_buf_init(b, NTK_HEADER_LEN + NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_proto_begin(b, msgs[i].type), 0);
	ck_assert_int_eq(msgs[i].enc(b), 0);
	ck_assert_int_eq(ntk_proto_end(b), 0);
}

/* Write each body to $NTK_WRITE_CORPUS/NAME: the fuzz target's seed corpus. */
static void
maybe_write_corpus(size_t i, const uint8_t *body, size_t len)
{
	const char *dir = getenv("NTK_WRITE_CORPUS");
	char path[4096];
	FILE *f;

	if (dir == NULL)
		return;
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%s", dir, msgs[i].name);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_uint_eq(fwrite(body, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_round_trip)
{
	struct ntk_buf b, v;
	uint32_t len;
	uint16_t type;

	frame(&b, _i);
	ck_assert_uint_ge(b.len, NTK_HEADER_LEN);
	ck_assert_int_eq(ntk_proto_header(b.data, NTK_REPLY_MAX, &len, &type), 0);
	ck_assert_uint_eq(len, b.len - NTK_HEADER_LEN);
	ck_assert_uint_eq(type, msgs[_i].type);
	maybe_write_corpus(_i, b.data + NTK_HEADER_LEN, len);
	ntk_buf_view(&v, b.data + NTK_HEADER_LEN, len);
	ck_assert_int_eq(msgs[_i].dec(&v, 1), 0);
	ntk_buf_free(&b);
}
END_TEST

/* Every strict prefix of a valid body fails cleanly; none is accepted. */
START_TEST(test_every_prefix_fails)
{
	struct ntk_buf b, v;
	size_t body, n;
	int r;

	frame(&b, _i);
	body = b.len - NTK_HEADER_LEN;
	for (n = 0; n < body; n++) {
		ntk_buf_view(&v, b.data + NTK_HEADER_LEN, n);
		r = msgs[_i].dec(&v, 0);
		ck_assert_msg(r < 0, "%s: prefix of %zu/%zu bytes gave %d",
		    msgs[_i].name, n, body, r);
	}
	ntk_buf_free(&b);
}
END_TEST

START_TEST(test_trailing_bytes)
{
	struct ntk_buf b, v;

	frame(&b, _i);
	ck_assert_int_eq(ntk_buf_put_u8(&b, 0), 0);
	ntk_buf_view(&v, b.data + NTK_HEADER_LEN, b.len - NTK_HEADER_LEN);
	ck_assert_int_eq(msgs[_i].dec(&v, 0), NTK_ERR_TRAILING);
	ntk_buf_free(&b);
}
END_TEST

/* ---- framing ------------------------------------------------------------ */

START_TEST(test_header)
{
	uint8_t h[NTK_HEADER_LEN] = { 0, 0, 0, 5, 0, NTK_PROTO_VERSION, 0x80, 0x02 };
	uint32_t len;
	uint16_t type;

	ck_assert_int_eq(ntk_proto_header(h, 5, &len, &type), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_uint_eq(type, NTK_MSG_CHECK | NTK_MSG_REPLY);
	ck_assert_int_eq(ntk_proto_header(h, 4, &len, &type), NTK_ERR_TOO_LONG);
	ck_assert_uint_eq(len, 0);
	h[0] = 0xff;
	ck_assert_int_eq(ntk_proto_header(h, NTK_REPLY_MAX, &len, &type), NTK_ERR_TOO_LONG);
	h[0] = 0;
	h[5] = NTK_PROTO_VERSION + 1;
	ck_assert_int_eq(ntk_proto_header(h, NTK_REPLY_MAX, &len, &type), NTK_ERR_VERSION);
	h[4] = 1;
	h[5] = NTK_PROTO_VERSION;
	ck_assert_int_eq(ntk_proto_header(h, NTK_REPLY_MAX, &len, &type), NTK_ERR_VERSION);
}
END_TEST

/* ntk_proto_end applies the limit of the message's direction. */
START_TEST(test_end_limits)
{
	struct ntk_buf b;
	uint8_t *p;

	ntk_buf_init(&b, 2 * NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_proto_begin(&b, NTK_MSG_CHECK), 0);
	ck_assert_ptr_nonnull(p = ntk_buf_reserve(&b, NTK_REQUEST_MAX));
	memset(p, 'a', NTK_REQUEST_MAX);
	ntk_buf_commit(&b, NTK_REQUEST_MAX);
	ck_assert_int_eq(ntk_proto_end(&b), 0);
	ck_assert_uint_eq(b.data[1], 0x01);     /* 65536 = 0x00010000 */
	ck_assert_int_eq(ntk_buf_put_u8(&b, 0), 0);
	ck_assert_int_eq(ntk_proto_end(&b), NTK_ERR_TOO_LONG);

	/* The same size is fine for a reply... */
	ck_assert_int_eq(ntk_proto_begin(&b, NTK_MSG_CHECK | NTK_MSG_REPLY), 0);
	ck_assert_ptr_nonnull(p = ntk_buf_reserve(&b, NTK_REPLY_MAX));
	memset(p, 'a', NTK_REPLY_MAX);
	ntk_buf_commit(&b, NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_proto_end(&b), 0);
	/* ...up to its own limit. */
	ck_assert_int_eq(ntk_buf_put_u8(&b, 0), 0);
	ck_assert_int_eq(ntk_proto_end(&b), NTK_ERR_TOO_LONG);

	/* begin resets: no leftovers from the previous message. */
	ck_assert_int_eq(ntk_proto_begin(&b, NTK_MSG_PING), 0);
	ck_assert_int_eq(ntk_proto_end(&b), 0);
	ck_assert_uint_eq(b.len, NTK_HEADER_LEN);
	ck_assert_uint_eq(b.data[3], 0);
	ck_assert_uint_eq(b.data[5], NTK_PROTO_VERSION);
	ck_assert_uint_eq(b.data[7], NTK_MSG_PING);
	ntk_buf_free(&b);

	/* end on a buffer without a header is a caller bug, not a message. */
	ntk_buf_init(&b, 100);
	ck_assert_int_eq(ntk_proto_end(&b), NTK_ERR_INTERNAL);
	ntk_buf_free(&b);
}
END_TEST

/* ---- hostile values ----------------------------------------------------- */

/* Build a CHECK body with the given raw enum bytes and case id. */
static void
raw_check_req(struct ntk_buf *b, uint8_t action, const char *case_id, uint8_t state,
    uint8_t flags)
{
	ntk_buf_init(b, NTK_REQUEST_MAX);
	ck_assert_int_eq(ntk_buf_put_str(b, "alice", 100), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "FACTS", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, action), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, case_id, 1000), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, state), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "", 100), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "", 100), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, flags), 0);
}

static int
try_check_req(uint8_t action, const char *case_id, uint8_t state, uint8_t flags)
{
	struct ntk_buf b, v;
	int r;

	raw_check_req(&b, action, case_id, state, flags);
	ntk_buf_view(&v, b.data, b.len);
	r = dec_check_req(&v, 0);
	ntk_buf_free(&b);
	return r;
}

static const char case64[] = "0123456789012345678901234567890123456789012345678901234567890123";
static const char case65[] = "01234567890123456789012345678901234567890123456789012345678901234";

START_TEST(test_check_req_values)
{
	ck_assert_int_eq(try_check_req(2, "C-1", 2, 3), 0);
	ck_assert_int_eq(try_check_req(0, "", 0, 0), 0);
	ck_assert_int_eq(try_check_req(3, "C-1", 0, 0), 0);     /* release */
	ck_assert_int_eq(try_check_req(4, "C-1", 0, 0), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_req(255, "C-1", 0, 0), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_req(1, "C-1", 3, 0), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_req(1, "C-1", 0, 4), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_req(1, case64, 0, 0), 0);
	ck_assert_int_eq(try_check_req(1, case65, 0, 0), NTK_ERR_TOO_LONG);
}
END_TEST

START_TEST(test_encoders_refuse_bad_values)
{
	struct ntk_buf b;
	struct ntk_check_req q = fx_check_req;
	struct ntk_check_rep p = fx_check_rep;
	struct ntk_report_req rr = fx_report_req;
	struct ntk_facts_rep f = fx_facts_rep;
	struct ntk_role roles[4];
	size_t idx[] = { 0, 4 };
	struct ntk_system sys = { .name = "FACTS", .role_idx = idx, .nroles = 2 };
	char *many[NTK_REPORT_CASES_MAX + 1];
	char long_case[sizeof(case65)];
	size_t i;

	memcpy(long_case, case65, sizeof(case65));
	ntk_buf_init(&b, NTK_REPLY_MAX);
	q.action = (enum ntk_action)4;
	ck_assert_int_eq(ntk_proto_encode_check_req(&b, &q), NTK_ERR_BAD_VALUE);
	q = fx_check_req;
	q.case_id = long_case;
	ck_assert_int_eq(ntk_proto_encode_check_req(&b, &q), NTK_ERR_TOO_LONG);
	q = fx_check_req;
	q.flags = 0x80;
	ck_assert_int_eq(ntk_proto_encode_check_req(&b, &q), NTK_ERR_BAD_VALUE);
	p.outcome = (enum ntk_outcome)5;
	ck_assert_int_eq(ntk_proto_encode_check_rep(&b, &p), NTK_ERR_BAD_VALUE);
	for (i = 0; i <= NTK_REPORT_CASES_MAX; i++)
		many[i] = "C-1";
	rr.cases = many;
	rr.ncases = NTK_REPORT_CASES_MAX + 1;
	ck_assert_int_eq(ntk_proto_encode_report_req(&b, &rr), NTK_ERR_TOO_LONG);
	rr.ncases = NTK_REPORT_CASES_MAX;
	ck_assert_int_eq(ntk_proto_encode_report_req(&b, &rr), 0);
	/* A role index that names no role. */
	f.policy.systems = &sys;
	f.policy.nsystems = 1;
	ck_assert_int_eq(ntk_proto_encode_facts_rep(&b, &f), NTK_ERR_BAD_VALUE);
	f = fx_facts_rep;
	memcpy(roles, fx_roles, sizeof(roles));
	roles[1].scope = (enum ntk_scope)4;
	f.policy.roles = roles;
	ck_assert_int_eq(ntk_proto_encode_facts_rep(&b, &f), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_proto_encode_error(&b, 0, "no"), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(ntk_proto_encode_error(&b, 3, "no"), NTK_ERR_BAD_VALUE);
	ntk_buf_free(&b);
}
END_TEST

/*
 * A FACTS reply built field by field, so single values can be made wrong:
 * role scope and flags, a system's role index, a case id, a bool.
 */
struct raw_facts {
	uint32_t outcome;
	uint8_t scope;
	uint8_t role_flags;
	uint32_t role_idx;
	const char *case_id;
	uint8_t read_only;
	uint8_t found;
	uint32_t nassign;       /* the count sent; one assignment follows */
	const char *grant_system;       /* non-NULL: one grant on it is sent */
	bool old_grant;                 /* send the grant without its system */
	const char *deny_message;
};

static const struct raw_facts raw_ok = {
	.outcome = 0, .scope = 3, .role_flags = 0x0f, .role_idx = 1,
	.case_id = "C-1", .read_only = 1, .found = 1, .nassign = 1,
};

static void
raw_facts_body(struct ntk_buf *b, const struct raw_facts *f)
{
	ntk_buf_init(b, NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_buf_put_u32(b, f->outcome), 0);
	ck_assert_int_eq(ntk_buf_put_i32(b, 1), 0);
	ck_assert_int_eq(ntk_buf_put_i64(b, 2), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, 3), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, f->deny_message != NULL ? f->deny_message : "", 1000), 0);
	/* policy: depth, 2 roles, 1 system with 1 index */
	ck_assert_int_eq(ntk_buf_put_u32(b, 2), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, 2), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "worker", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, 1), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, 0), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "legal", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, f->scope), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, f->role_flags), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, 1), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "FACTS", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, 1), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, f->role_idx), 0);
	/* subject */
	ck_assert_int_eq(ntk_buf_put_u8(b, f->found), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "alice", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, 1), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "legal", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, f->nassign), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, f->case_id, 1000), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "", 100), 0);
	ck_assert_int_eq(ntk_buf_put_i32(b, NTK_NO_END), 0);
	ck_assert_int_eq(ntk_buf_put_u8(b, f->read_only), 0);
	ck_assert_int_eq(ntk_buf_put_u32(b, 0), 0);     /* supervised */
	if (f->grant_system == NULL) {
		ck_assert_int_eq(ntk_buf_put_u32(b, 0), 0);     /* grants */
		return;
	}
	ck_assert_int_eq(ntk_buf_put_u32(b, 1), 0);
	ck_assert_int_eq(ntk_buf_put_str(b, "C-1", 100), 0);
	if (!f->old_grant)
		ck_assert_int_eq(ntk_buf_put_str(b, f->grant_system, 1000), 0);
	ck_assert_int_eq(ntk_buf_put_i64(b, 5), 0);
}

static int
try_facts(const struct raw_facts *f)
{
	struct ntk_buf b, v;
	int r;

	raw_facts_body(&b, f);
	ntk_buf_view(&v, b.data, b.len);
	largest_alloc = 0;
	r = dec_facts_rep(&v, 0);
	ntk_buf_free(&b);
	return r;
}

START_TEST(test_facts_values)
{
	struct raw_facts f;

	ck_assert_int_eq(try_facts(&raw_ok), 0);
	f = raw_ok; f.outcome = 5;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.outcome = 15;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.outcome = 27;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.outcome = 26;     /* not-case-manager */
	ck_assert_int_eq(try_facts(&f), 0);
	f = raw_ok; f.outcome = 25;     /* account-disabled */
	ck_assert_int_eq(try_facts(&f), 0);
	f = raw_ok; f.outcome = 24;
	ck_assert_int_eq(try_facts(&f), 0);
	f = raw_ok; f.scope = 4;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.role_flags = 0x1f;        /* NTK_ROLE_RELEASE included */
	ck_assert_int_eq(try_facts(&f), 0);
	f = raw_ok; f.role_flags = 0x20;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	/* Two roles were sent: index 2 names nothing. */
	f = raw_ok; f.role_idx = 2;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.role_idx = 0xffffffff;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.case_id = case64;
	ck_assert_int_eq(try_facts(&f), 0);
	f = raw_ok; f.case_id = case65;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_TOO_LONG);
	f = raw_ok; f.case_id = "";
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.read_only = 2;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	f = raw_ok; f.found = 7;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	/* Hostile counts: refused before anything is sized by them. */
	f = raw_ok; f.nassign = 0xffffffff;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_TOO_LONG);
	ck_assert_uint_lt(largest_alloc, 4096);
	f = raw_ok; f.nassign = NTK_LIST_MAX;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_TRUNCATED);
	ck_assert_uint_lt(largest_alloc, 4096);
	f = raw_ok; f.nassign = 2;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_TRUNCATED);
}
END_TEST

/* A grant names the one system it was given on: never empty, never too long. */
START_TEST(test_facts_grant_system)
{
	static char sys256[NTK_NAME_MAX + 1], sys257[NTK_NAME_MAX + 2];
	struct ntk_facts_rep rep = fx_facts_rep;
	struct ntk_grant g = fx_grants[0];
	struct raw_facts f;
	struct ntk_buf b;

	memset(sys256, 'S', NTK_NAME_MAX);
	memset(sys257, 'S', NTK_NAME_MAX + 1);
	f = raw_ok; f.grant_system = "FACTS";
	ck_assert_int_eq(try_facts(&f), 0);
	f = raw_ok; f.grant_system = sys256;
	ck_assert_int_eq(try_facts(&f), 0);
	f = raw_ok; f.grant_system = sys257;
	ck_assert_int_eq(try_facts(&f), NTK_ERR_TOO_LONG);
	f = raw_ok; f.grant_system = "";
	ck_assert_int_eq(try_facts(&f), NTK_ERR_BAD_VALUE);
	/* The old item (case_id, expires) is refused, not misread. */
	f = raw_ok; f.grant_system = "FACTS"; f.old_grant = true;
	ck_assert_int_ne(try_facts(&f), 0);
	/* Nor is a grant without a system ever encoded. */
	g.system[0] = '\0';
	rep.subject.grants = &g;
	rep.subject.ngrants = 1;
	ntk_buf_init(&b, NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_proto_encode_facts_rep(&b, &rep), NTK_ERR_BAD_VALUE);
	ntk_buf_free(&b);
}
END_TEST

/* A count, then `avail` zero bytes, decoded by decoder `dec`. */
static int
try_count(int (*dec)(struct ntk_buf *, int), uint32_t count, size_t avail)
{
	struct ntk_buf b, v;
	uint8_t *p;
	int r;

	ntk_buf_init(&b, NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_buf_put_u32(&b, count), 0);
	if (avail > 0) {
		ck_assert_ptr_nonnull(p = ntk_buf_reserve(&b, avail));
		memset(p, 0, avail);
		ntk_buf_commit(&b, avail);
	}
	ntk_buf_view(&v, b.data, b.len);
	largest_alloc = 0;
	r = dec(&v, 0);
	ntk_buf_free(&b);
	return r;
}

START_TEST(test_hostile_counts)
{
	ck_assert_int_eq(try_count(dec_gid_list, 0xffffffff, 16), NTK_ERR_TOO_LONG);
	ck_assert_uint_lt(largest_alloc, 1024);
	ck_assert_int_eq(try_count(dec_gid_list, NTK_LIST_MAX + 1, 16), NTK_ERR_TOO_LONG);
	ck_assert_uint_lt(largest_alloc, 1024);
	/* Within the list limit, but the bytes are not there. */
	ck_assert_int_eq(try_count(dec_gid_list, NTK_LIST_MAX, 16), NTK_ERR_TRUNCATED);
	ck_assert_uint_lt(largest_alloc, 1024);
	ck_assert_int_eq(try_count(dec_group_list, 0xffffffff, 16), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(try_count(dec_group_list, 1000, 11999), NTK_ERR_TRUNCATED);
	ck_assert_uint_lt(largest_alloc, 1024);
	/* A full list of empty-named groups: sized, then refused by value. */
	ck_assert_int_eq(try_count(dec_group_list, 1000, 12000), NTK_ERR_BAD_VALUE);
	/* The list limit itself is accepted. */
	ck_assert_int_eq(try_count(dec_gid_list, NTK_LIST_MAX, 4 * NTK_LIST_MAX), 0);
	/* ...and sized by its count, which shows the allocation watch sees the codec. */
	ck_assert_uint_ge(largest_alloc, NTK_LIST_MAX * sizeof(uint32_t));
	ck_assert_int_eq(try_count(dec_gid_list, 0, 0), 0);
}
END_TEST

/* Build a REPORT with `n` cases, the last one `last`. */
static int
try_report(uint32_t n, const char *last)
{
	struct ntk_buf b, v;
	uint32_t i;
	int r;

	ntk_buf_init(&b, NTK_REQUEST_MAX);
	ck_assert_int_eq(ntk_buf_put_str(&b, "alice", 100), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "FACTS", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u8(&b, 1), 0);
	ck_assert_int_eq(ntk_buf_put_u32(&b, NTK_DENY_NO_BUSINESS_REASON), 0);
	ck_assert_int_eq(ntk_buf_put_u32(&b, 9), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "q", 100), 0);
	ck_assert_int_eq(ntk_buf_put_u32(&b, n), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(ntk_buf_put_str(&b, i + 1 == n ? last : "C-1", 1000), 0);
	ntk_buf_view(&v, b.data, b.len);
	r = dec_report_req(&v, 0);
	ntk_buf_free(&b);
	return r;
}

/* A CHECK reply built field by field: the grant's expiry and the deny_message. */
static int
try_check_rep(int64_t expires, const char *msg)
{
	struct ntk_buf b, v;
	int r;

	ntk_buf_init(&b, NTK_REPLY_MAX);
	ck_assert_int_eq(ntk_buf_put_u32(&b, NTK_DENY_NO_BUSINESS_REASON), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "DENY reason=no-business-reason", 100), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, "", 100), 0);
	ck_assert_int_eq(ntk_buf_put_i64(&b, expires), 0);
	ck_assert_int_eq(ntk_buf_put_str(&b, msg, 100000), 0);
	ntk_buf_view(&v, b.data, b.len);
	r = dec_check_rep(&v, 0);
	ntk_buf_free(&b);
	return r;
}

/* deny_message is printed to people: no control bytes either way, and bounded. */
START_TEST(test_deny_message_values)
{
	static char longest[NTK_DENY_MESSAGE_MAX + 2];
	struct ntk_check_rep p = fx_check_rep;
	struct ntk_facts_rep f = fx_facts_deny;
	struct raw_facts rf = raw_ok;
	struct ntk_buf b;

	memset(longest, 'x', sizeof(longest) - 1);
	longest[NTK_DENY_MESSAGE_MAX + 1] = '\0';
	ck_assert_int_eq(try_check_rep(0, ""), 0);
	ck_assert_int_eq(try_check_rep(5, "Ask Legal, ext. 4410"), 0);
	ck_assert_int_eq(try_check_rep(-1, ""), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_rep(0, "line one\nline two"), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_rep(0, "\x1b[2J"), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_rep(0, "del\x7f"), NTK_ERR_BAD_VALUE);
	ck_assert_int_eq(try_check_rep(0, longest), NTK_ERR_TOO_LONG);
	longest[NTK_DENY_MESSAGE_MAX] = '\0';
	ck_assert_int_eq(try_check_rep(0, longest), 0);
	rf.deny_message = "tab\there";
	ck_assert_int_eq(try_facts(&rf), NTK_ERR_BAD_VALUE);
	rf.deny_message = "Ask Legal";
	ck_assert_int_eq(try_facts(&rf), 0);

	ntk_buf_init(&b, NTK_REPLY_MAX);
	p.deny_message = "bell\a";
	ck_assert_int_eq(ntk_proto_encode_check_rep(&b, &p), NTK_ERR_BAD_VALUE);
	p = fx_check_rep;
	p.grant_expires = -5;
	ck_assert_int_eq(ntk_proto_encode_check_rep(&b, &p), NTK_ERR_BAD_VALUE);
	f.deny_message = "cr\r";
	ck_assert_int_eq(ntk_proto_encode_facts_rep(&b, &f), NTK_ERR_BAD_VALUE);
	f.deny_message = NULL;
	ck_assert_int_eq(ntk_proto_encode_facts_rep(&b, &f), 0);
	ntk_buf_free(&b);
}
END_TEST

START_TEST(test_report_values)
{
	ck_assert_int_eq(try_report(NTK_REPORT_CASES_MAX, "C-2"), 0);
	ck_assert_int_eq(try_report(NTK_REPORT_CASES_MAX + 1, "C-2"), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(try_report(3, case64), 0);
	ck_assert_int_eq(try_report(3, case65), NTK_ERR_TOO_LONG);
	ck_assert_int_eq(try_report(3, ""), NTK_ERR_BAD_VALUE);
}
END_TEST

START_TEST(test_error_values)
{
	static const uint8_t zero[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t pos[] = { 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t nul[] = { 0xff, 0xff, 0xff, 0xf5, 0, 0, 0, 1, 0 };
	struct ntk_buf v;

	/* An ERROR that says 0 would read as success: refused. */
	ntk_buf_view(&v, zero, sizeof(zero));
	ck_assert_int_eq(dec_error(&v, 0), NTK_ERR_BAD_VALUE);
	ntk_buf_view(&v, pos, sizeof(pos));
	ck_assert_int_eq(dec_error(&v, 0), NTK_ERR_BAD_VALUE);
	ntk_buf_view(&v, nul, sizeof(nul));
	ck_assert_int_eq(dec_error(&v, 0), NTK_ERR_EMBEDDED_NUL);
}
END_TEST

START_TEST(test_clear_accepts_null)
{
	struct ntk_facts_rep f;

	ntk_check_req_clear(NULL);
	ntk_check_rep_clear(NULL);
	ntk_facts_req_clear(NULL);
	ntk_facts_rep_clear(NULL);
	ntk_report_req_clear(NULL);
	ntk_group_clear(NULL);
	ntk_group_list_clear(NULL);
	ntk_gid_list_clear(NULL);
	memset(&f, 0, sizeof(f));
	ntk_facts_rep_clear(&f);
	ck_assert(all_zero(&f, sizeof(f)));
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite *s = suite_create("ntk_proto");
	TCase *tc;

	tc = tcase_create("messages");
	tcase_add_loop_test(tc, test_round_trip, 0, NMSGS);
	tcase_add_loop_test(tc, test_every_prefix_fails, 0, NMSGS);
	tcase_add_loop_test(tc, test_trailing_bytes, 0, NMSGS);
	suite_add_tcase(s, tc);

	tc = tcase_create("framing");
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_end_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, test_check_req_values);
	tcase_add_test(tc, test_encoders_refuse_bad_values);
	tcase_add_test(tc, test_facts_values);
	tcase_add_test(tc, test_facts_grant_system);
	tcase_add_test(tc, test_hostile_counts);
	tcase_add_test(tc, test_report_values);
	tcase_add_test(tc, test_deny_message_values);
	tcase_add_test(tc, test_error_values);
	tcase_add_test(tc, test_clear_accepts_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
