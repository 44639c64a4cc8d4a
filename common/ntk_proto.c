/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ntkd wire codec: framing, and an encoder and a bounded decoder for every message body. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ntk_buf.h"
#include "ntk_err.h"
#include "ntk_policy.h"
#include "ntk_proto.h"
#include "ntk_strv.h"

/*
 * Smallest encoding of one list item, used to refuse a count the remaining
 * bytes cannot hold before anything is allocated for it.
 */
#define MIN_STR 4u
#define MIN_U32 4u
#define MIN_ROLE (MIN_STR + 1 + 1)
#define MIN_SYSTEM (MIN_STR + 4)
#define MIN_ASSIGNMENT (MIN_STR + MIN_STR + 4 + 1)
#define MIN_SUPERVISED (MIN_ASSIGNMENT + MIN_STR + 4)
#define MIN_GRANT (MIN_STR + MIN_STR + 8)
#define MIN_GROUP (MIN_STR + 4 + 4)

#define CHECK_FLAGS (NTK_CHECK_DRY_RUN | NTK_CHECK_EXPLAIN)
#define ROLE_FLAGS (NTK_ROLE_WRITE | NTK_ROLE_CLOSED | NTK_ROLE_SEALED | NTK_ROLE_BREAK_GLASS | \
	NTK_ROLE_RELEASE)

/* ---- framing ------------------------------------------------------------ */

int
ntk_proto_begin(struct ntk_buf *b, uint16_t type)
{
	int r;

	ntk_buf_reset(b);
	if ((r = ntk_buf_put_u32(b, 0)) != 0 ||
	    (r = ntk_buf_put_u16(b, NTK_PROTO_VERSION)) != 0 ||
	    (r = ntk_buf_put_u16(b, type)) != 0)
		return r;
	return 0;
}

int
ntk_proto_end(struct ntk_buf *b)
{
	size_t body, max;
	uint16_t type;

	if (b->data == NULL || b->cap == 0 || b->len < NTK_HEADER_LEN)
		return NTK_ERR_INTERNAL;
	type = (uint16_t)((b->data[6] << 8) | b->data[7]);
	/* ERROR is only ever sent as an answer: it goes by the reply limit. */
	max = (type & NTK_MSG_REPLY) || type == NTK_MSG_ERROR ?
	    NTK_REPLY_MAX : NTK_REQUEST_MAX;
	body = b->len - NTK_HEADER_LEN;
	if (body > max)
		return NTK_ERR_TOO_LONG;
	b->data[0] = (uint8_t)(body >> 24);
	b->data[1] = (uint8_t)(body >> 16);
	b->data[2] = (uint8_t)(body >> 8);
	b->data[3] = (uint8_t)body;
	return 0;
}

int
ntk_proto_header(const uint8_t hdr[NTK_HEADER_LEN], size_t max_body,
    uint32_t *body_len, uint16_t *type)
{
	uint32_t len;
	uint16_t version;

	*body_len = 0;
	*type = 0;
	len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) |
	    ((uint32_t)hdr[2] << 8) | (uint32_t)hdr[3];
	version = (uint16_t)((hdr[4] << 8) | hdr[5]);
	if (version != NTK_PROTO_VERSION)
		return NTK_ERR_VERSION;
	if (len > max_body)
		return NTK_ERR_TOO_LONG;
	*body_len = len;
	*type = (uint16_t)((hdr[6] << 8) | hdr[7]);
	return 0;
}

int
ntk_proto_expect_end(const struct ntk_buf *b)
{
	return ntk_buf_remaining(b) == 0 ? 0 : NTK_ERR_TRAILING;
}

/* ---- shared pieces ------------------------------------------------------ */

static bool
action_ok(uint32_t v)
{
	return v <= NTK_ACTION_RELEASE;
}

static bool
state_ok(uint32_t v)
{
	return v <= NTK_STATE_SEALED;
}

static bool
scope_ok(uint32_t v)
{
	return v <= NTK_SCOPE_ALL;
}

/* A list count: within `max`, and payable by the bytes left at `min_item` each. */
static int
get_count(struct ntk_buf *b, size_t max, size_t min_item, size_t *n)
{
	uint32_t v;
	int r;

	*n = 0;
	if ((r = ntk_buf_get_u32(b, &v)) != 0)
		return r;
	if (v > max)
		return NTK_ERR_TOO_LONG;
	if ((uint64_t)v * min_item > ntk_buf_remaining(b))
		return NTK_ERR_TRUNCATED;
	*n = v;
	return 0;
}

static int
put_count(struct ntk_buf *b, size_t n, size_t max)
{
	if (n > max)
		return NTK_ERR_TOO_LONG;
	return ntk_buf_put_u32(b, (uint32_t)n);
}

static int
get_enum(struct ntk_buf *b, bool (*ok)(uint32_t), uint32_t *v)
{
	uint8_t u;
	int r;

	if ((r = ntk_buf_get_u8(b, &u)) != 0)
		return r;
	if (!ok(u))
		return NTK_ERR_BAD_VALUE;
	*v = u;
	return 0;
}

static int
put_enum(struct ntk_buf *b, bool (*ok)(uint32_t), uint32_t v)
{
	if (!ok(v))
		return NTK_ERR_BAD_VALUE;
	return ntk_buf_put_u8(b, (uint8_t)v);
}

static int
get_outcome(struct ntk_buf *b, enum ntk_outcome *out)
{
	uint32_t v;
	int r;

	if ((r = ntk_buf_get_u32(b, &v)) != 0)
		return r;
	if (!ntk_outcome_valid(v))
		return NTK_ERR_BAD_VALUE;
	*out = (enum ntk_outcome)v;
	return 0;
}

static int
put_outcome(struct ntk_buf *b, enum ntk_outcome v)
{
	if (!ntk_outcome_valid((uint32_t)v))
		return NTK_ERR_BAD_VALUE;
	return ntk_buf_put_u32(b, (uint32_t)v);
}

/* Booleans travel as exactly 0 or 1, so every body has one encoding. */
static int
get_bool(struct ntk_buf *b, bool *out)
{
	uint8_t u;
	int r;

	if ((r = ntk_buf_get_u8(b, &u)) != 0)
		return r;
	if (u > 1)
		return NTK_ERR_BAD_VALUE;
	*out = u == 1;
	return 0;
}

/* A non-empty case id into its fixed array. */
static int
get_case_id(struct ntk_buf *b, char dst[NTK_CASE_ID_MAX + 1])
{
	int r;

	if ((r = ntk_buf_get_str_into(b, dst, NTK_CASE_ID_MAX + 1)) != 0)
		return r;
	return dst[0] == '\0' ? NTK_ERR_BAD_VALUE : 0;
}

static int
put_case_id(struct ntk_buf *b, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return NTK_ERR_BAD_VALUE;
	return ntk_buf_put_str(b, s, NTK_CASE_ID_MAX);
}

/* A list of strings, each at most max_len; empty strings refused when !empty_ok. */
static int
get_str_list(struct ntk_buf *b, size_t max_count, size_t max_len, bool empty_ok,
    char ***out, size_t *nout)
{
	char **v = NULL;
	size_t n, i;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = get_count(b, max_count, MIN_STR, &n)) != 0)
		return r;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return NTK_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if ((r = ntk_buf_get_str(b, &v[i], max_len)) != 0)
			goto out;
		if (!empty_ok && v[i][0] == '\0') {
			r = NTK_ERR_BAD_VALUE;
			goto out;
		}
	}
	*out = v;
	*nout = n;
	v = NULL;
	r = 0;
 out:
	ntk_strv_free(v, n);
	return r;
}

static int
put_str_list(struct ntk_buf *b, char *const *v, size_t n, size_t max_count,
    size_t max_len, bool empty_ok)
{
	size_t i;
	int r;

	if ((r = put_count(b, n, max_count)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if (!empty_ok && (v[i] == NULL || v[i][0] == '\0'))
			return NTK_ERR_BAD_VALUE;
		if ((r = ntk_buf_put_str(b, v[i], max_len)) != 0)
			return r;
	}
	return 0;
}

/*
 * A deny_message is shown to a person by PAM, SQL clients and terminals: no
 * control bytes (an escape sequence, a line break), whichever side sent it.
 */
static bool
deny_message_ok(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int
get_deny_message(struct ntk_buf *b, char **out)
{
	int r;

	if ((r = ntk_buf_get_str(b, out, NTK_DENY_MESSAGE_MAX)) != 0)
		return r;
	return deny_message_ok(*out) ? 0 : NTK_ERR_BAD_VALUE;
}

static int
put_deny_message(struct ntk_buf *b, const char *s)
{
	if (s != NULL && !deny_message_ok(s))
		return NTK_ERR_BAD_VALUE;
	return ntk_buf_put_str(b, s, NTK_DENY_MESSAGE_MAX);
}

/* ---- policy and subject (FACTS) ----------------------------------------- */

static int
decode_role(struct ntk_buf *b, struct ntk_role *role)
{
	uint32_t scope;
	uint8_t flags;
	int r;

	if ((r = ntk_buf_get_str(b, &role->name, NTK_NAME_MAX)) != 0 ||
	    (r = get_enum(b, scope_ok, &scope)) != 0 ||
	    (r = ntk_buf_get_u8(b, &flags)) != 0)
		return r;
	if (role->name[0] == '\0' || (flags & ~ROLE_FLAGS) != 0)
		return NTK_ERR_BAD_VALUE;
	role->scope = (enum ntk_scope)scope;
	role->write = (flags & NTK_ROLE_WRITE) != 0;
	role->closed = (flags & NTK_ROLE_CLOSED) != 0;
	role->sealed = (flags & NTK_ROLE_SEALED) != 0;
	role->break_glass = (flags & NTK_ROLE_BREAK_GLASS) != 0;
	role->release = (flags & NTK_ROLE_RELEASE) != 0;
	return 0;
}

static int
decode_system(struct ntk_buf *b, size_t nroles, struct ntk_system *sys)
{
	size_t n, i;
	uint32_t idx;
	int r;

	if ((r = ntk_buf_get_str(b, &sys->name, NTK_NAME_MAX)) != 0)
		return r;
	if (sys->name[0] == '\0')
		return NTK_ERR_BAD_VALUE;
	if ((r = get_count(b, NTK_LIST_MAX, MIN_U32, &n)) != 0)
		return r;
	if (n == 0)
		return 0;
	if ((sys->role_idx = calloc(n, sizeof(*sys->role_idx))) == NULL)
		return NTK_ERR_NOMEM;
	sys->nroles = n;
	for (i = 0; i < n; i++) {
		if ((r = ntk_buf_get_u32(b, &idx)) != 0)
			return r;
		/* An index names a role sent in this message, nothing else. */
		if (idx >= nroles)
			return NTK_ERR_BAD_VALUE;
		sys->role_idx[i] = idx;
	}
	return 0;
}

/* On failure the caller frees *p with ntk_policy_clear. */
static int
decode_policy(struct ntk_buf *b, struct ntk_policy *p)
{
	uint32_t depth;
	size_t n, i;
	int r;

	if ((r = ntk_buf_get_u32(b, &depth)) != 0)
		return r;
	p->supervision_depth = depth;
	if ((r = get_count(b, NTK_LIST_MAX, MIN_ROLE, &n)) != 0)
		return r;
	if (n > 0) {
		if ((p->roles = calloc(n, sizeof(*p->roles))) == NULL)
			return NTK_ERR_NOMEM;
		p->nroles = n;
		for (i = 0; i < n; i++)
			if ((r = decode_role(b, &p->roles[i])) != 0)
				return r;
	}
	if ((r = get_count(b, NTK_LIST_MAX, MIN_SYSTEM, &n)) != 0)
		return r;
	if (n > 0) {
		if ((p->systems = calloc(n, sizeof(*p->systems))) == NULL)
			return NTK_ERR_NOMEM;
		p->nsystems = n;
		for (i = 0; i < n; i++)
			if ((r = decode_system(b, p->nroles, &p->systems[i])) != 0)
				return r;
	}
	return 0;
}

static int
encode_policy(struct ntk_buf *b, const struct ntk_policy *p)
{
	const struct ntk_role *role;
	const struct ntk_system *sys;
	uint8_t flags;
	size_t i, j;
	int r;

	if ((r = ntk_buf_put_u32(b, p->supervision_depth)) != 0 ||
	    (r = put_count(b, p->nroles, NTK_LIST_MAX)) != 0)
		return r;
	for (i = 0; i < p->nroles; i++) {
		role = &p->roles[i];
		if (role->name == NULL || role->name[0] == '\0')
			return NTK_ERR_BAD_VALUE;
		flags = (role->write ? NTK_ROLE_WRITE : 0) |
		    (role->closed ? NTK_ROLE_CLOSED : 0) |
		    (role->sealed ? NTK_ROLE_SEALED : 0) |
		    (role->break_glass ? NTK_ROLE_BREAK_GLASS : 0) |
		    (role->release ? NTK_ROLE_RELEASE : 0);
		if ((r = ntk_buf_put_str(b, role->name, NTK_NAME_MAX)) != 0 ||
		    (r = put_enum(b, scope_ok, (uint32_t)role->scope)) != 0 ||
		    (r = ntk_buf_put_u8(b, flags)) != 0)
			return r;
	}
	if ((r = put_count(b, p->nsystems, NTK_LIST_MAX)) != 0)
		return r;
	for (i = 0; i < p->nsystems; i++) {
		sys = &p->systems[i];
		if (sys->name == NULL || sys->name[0] == '\0')
			return NTK_ERR_BAD_VALUE;
		if ((r = ntk_buf_put_str(b, sys->name, NTK_NAME_MAX)) != 0 ||
		    (r = put_count(b, sys->nroles, NTK_LIST_MAX)) != 0)
			return r;
		for (j = 0; j < sys->nroles; j++) {
			if (sys->role_idx[j] >= p->nroles)
				return NTK_ERR_BAD_VALUE;
			if ((r = ntk_buf_put_u32(b, (uint32_t)sys->role_idx[j])) != 0)
				return r;
		}
	}
	return 0;
}

static int
decode_assignment(struct ntk_buf *b, struct ntk_assignment *a)
{
	int r;

	if ((r = get_case_id(b, a->case_id)) != 0 ||
	    (r = ntk_buf_get_str(b, &a->system, NTK_NAME_MAX)) != 0)
		return r;
	/* Empty on the wire: valid on every system. */
	if (a->system[0] == '\0') {
		free(a->system);
		a->system = NULL;
	}
	if ((r = ntk_buf_get_i32(b, &a->until)) != 0 ||
	    (r = get_bool(b, &a->read_only)) != 0)
		return r;
	return 0;
}

static int
encode_assignment(struct ntk_buf *b, const struct ntk_assignment *a)
{
	int r;

	if ((r = put_case_id(b, a->case_id)) != 0 ||
	    (r = ntk_buf_put_str(b, a->system, NTK_NAME_MAX)) != 0 ||
	    (r = ntk_buf_put_i32(b, a->until)) != 0 ||
	    (r = ntk_buf_put_u8(b, a->read_only ? 1 : 0)) != 0)
		return r;
	return 0;
}

/* A grant's system: never empty, since a grant is valid on one system only. */
static int
get_grant_system(struct ntk_buf *b, char dst[NTK_NAME_MAX + 1])
{
	int r;

	if ((r = ntk_buf_get_str_into(b, dst, NTK_NAME_MAX + 1)) != 0)
		return r;
	return dst[0] == '\0' ? NTK_ERR_BAD_VALUE : 0;
}

static int
put_grant_system(struct ntk_buf *b, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return NTK_ERR_BAD_VALUE;
	return ntk_buf_put_str(b, s, NTK_NAME_MAX);
}

/* On failure the caller frees *s with ntk_subject_clear. */
static int
decode_subject(struct ntk_buf *b, struct ntk_subject *s)
{
	struct ntk_supervised *sup;
	uint32_t depth;
	size_t n, i;
	int r;

	if ((r = get_bool(b, &s->found)) != 0 ||
	    (r = ntk_buf_get_str(b, &s->name, NTK_NAME_MAX)) != 0 ||
	    (r = get_str_list(b, NTK_LIST_MAX, NTK_NAME_MAX, false,
	    &s->roles, &s->nroles)) != 0)
		return r;

	if ((r = get_count(b, NTK_LIST_MAX, MIN_ASSIGNMENT, &n)) != 0)
		return r;
	if (n > 0) {
		if ((s->assignments = calloc(n, sizeof(*s->assignments))) == NULL)
			return NTK_ERR_NOMEM;
		s->nassignments = n;
		for (i = 0; i < n; i++)
			if ((r = decode_assignment(b, &s->assignments[i])) != 0)
				return r;
	}

	if ((r = get_count(b, NTK_LIST_MAX, MIN_SUPERVISED, &n)) != 0)
		return r;
	if (n > 0) {
		if ((s->supervised = calloc(n, sizeof(*s->supervised))) == NULL)
			return NTK_ERR_NOMEM;
		s->nsupervised = n;
		for (i = 0; i < n; i++) {
			sup = &s->supervised[i];
			if ((r = decode_assignment(b, &sup->assignment)) != 0 ||
			    (r = ntk_buf_get_str(b, &sup->holder, NTK_NAME_MAX)) != 0 ||
			    (r = ntk_buf_get_u32(b, &depth)) != 0)
				return r;
			sup->depth = depth;
		}
	}

	if ((r = get_count(b, NTK_LIST_MAX, MIN_GRANT, &n)) != 0)
		return r;
	if (n > 0) {
		if ((s->grants = calloc(n, sizeof(*s->grants))) == NULL)
			return NTK_ERR_NOMEM;
		s->ngrants = n;
		for (i = 0; i < n; i++)
			if ((r = get_case_id(b, s->grants[i].case_id)) != 0 ||
			    (r = get_grant_system(b, s->grants[i].system)) != 0 ||
			    (r = ntk_buf_get_i64(b, &s->grants[i].expires)) != 0)
				return r;
	}
	return 0;
}

static int
encode_subject(struct ntk_buf *b, const struct ntk_subject *s)
{
	const struct ntk_supervised *sup;
	size_t i;
	int r;

	if ((r = ntk_buf_put_u8(b, s->found ? 1 : 0)) != 0 ||
	    (r = ntk_buf_put_str(b, s->name, NTK_NAME_MAX)) != 0 ||
	    (r = put_str_list(b, s->roles, s->nroles, NTK_LIST_MAX,
	    NTK_NAME_MAX, false)) != 0)
		return r;
	if ((r = put_count(b, s->nassignments, NTK_LIST_MAX)) != 0)
		return r;
	for (i = 0; i < s->nassignments; i++)
		if ((r = encode_assignment(b, &s->assignments[i])) != 0)
			return r;
	if ((r = put_count(b, s->nsupervised, NTK_LIST_MAX)) != 0)
		return r;
	for (i = 0; i < s->nsupervised; i++) {
		sup = &s->supervised[i];
		if ((r = encode_assignment(b, &sup->assignment)) != 0 ||
		    (r = ntk_buf_put_str(b, sup->holder, NTK_NAME_MAX)) != 0 ||
		    (r = ntk_buf_put_u32(b, sup->depth)) != 0)
			return r;
	}
	if ((r = put_count(b, s->ngrants, NTK_LIST_MAX)) != 0)
		return r;
	for (i = 0; i < s->ngrants; i++)
		if ((r = put_case_id(b, s->grants[i].case_id)) != 0 ||
		    (r = put_grant_system(b, s->grants[i].system)) != 0 ||
		    (r = ntk_buf_put_i64(b, s->grants[i].expires)) != 0)
			return r;
	return 0;
}

/* ---- CHECK -------------------------------------------------------------- */

int
ntk_proto_encode_check_req(struct ntk_buf *b, const struct ntk_check_req *q)
{
	int r;

	if ((q->flags & ~CHECK_FLAGS) != 0)
		return NTK_ERR_BAD_VALUE;
	if ((r = ntk_buf_put_str(b, q->user, NTK_NAME_MAX)) != 0 ||
	    (r = ntk_buf_put_str(b, q->system, NTK_NAME_MAX)) != 0 ||
	    (r = put_enum(b, action_ok, (uint32_t)q->action)) != 0 ||
	    (r = ntk_buf_put_str(b, q->case_id, NTK_CASE_ID_MAX)) != 0 ||
	    (r = put_enum(b, state_ok, (uint32_t)q->state)) != 0 ||
	    (r = ntk_buf_put_str(b, q->reason, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_put_str(b, q->rhost, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_put_str(b, q->tty, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_put_u8(b, q->flags)) != 0)
		return r;
	return 0;
}

int
ntk_proto_decode_check_req(struct ntk_buf *b, struct ntk_check_req *out)
{
	uint32_t action, state;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = ntk_buf_get_str(b, &out->user, NTK_NAME_MAX)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->system, NTK_NAME_MAX)) != 0 ||
	    (r = get_enum(b, action_ok, &action)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->case_id, NTK_CASE_ID_MAX)) != 0 ||
	    (r = get_enum(b, state_ok, &state)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->reason, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->rhost, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->tty, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_get_u8(b, &out->flags)) != 0)
		goto out;
	if ((out->flags & ~CHECK_FLAGS) != 0) {
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
	out->action = (enum ntk_action)action;
	out->state = (enum ntk_case_state)state;
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_check_req_clear(out);
	return r;
}

int
ntk_proto_encode_check_rep(struct ntk_buf *b, const struct ntk_check_rep *p)
{
	int r;

	if (p->grant_expires < 0)
		return NTK_ERR_BAD_VALUE;
	if ((r = put_outcome(b, p->outcome)) != 0 ||
	    (r = ntk_buf_put_str(b, p->verdict, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_put_str(b, p->explain, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_put_i64(b, p->grant_expires)) != 0 ||
	    (r = put_deny_message(b, p->deny_message)) != 0)
		return r;
	return 0;
}

int
ntk_proto_decode_check_rep(struct ntk_buf *b, struct ntk_check_rep *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = get_outcome(b, &out->outcome)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->verdict, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->explain, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_get_i64(b, &out->grant_expires)) != 0 ||
	    (r = get_deny_message(b, &out->deny_message)) != 0)
		goto out;
	if (out->grant_expires < 0) {
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_check_rep_clear(out);
	return r;
}

/* ---- FACTS -------------------------------------------------------------- */

int
ntk_proto_encode_facts_req(struct ntk_buf *b, const struct ntk_facts_req *q)
{
	int r;

	if ((r = ntk_buf_put_str(b, q->user, NTK_NAME_MAX)) != 0 ||
	    (r = ntk_buf_put_str(b, q->system, NTK_NAME_MAX)) != 0)
		return r;
	return 0;
}

int
ntk_proto_decode_facts_req(struct ntk_buf *b, struct ntk_facts_req *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = ntk_buf_get_str(b, &out->user, NTK_NAME_MAX)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->system, NTK_NAME_MAX)) != 0)
		goto out;
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_facts_req_clear(out);
	return r;
}

int
ntk_proto_encode_facts_rep(struct ntk_buf *b, const struct ntk_facts_rep *p)
{
	int r;

	if ((r = put_outcome(b, p->outcome)) != 0 ||
	    (r = ntk_buf_put_i32(b, p->clock.today)) != 0 ||
	    (r = ntk_buf_put_i64(b, p->clock.now)) != 0 ||
	    (r = ntk_buf_put_u32(b, p->max_age)) != 0 ||
	    (r = put_deny_message(b, p->deny_message)) != 0 ||
	    (r = encode_policy(b, &p->policy)) != 0 ||
	    (r = encode_subject(b, &p->subject)) != 0)
		return r;
	return 0;
}

int
ntk_proto_decode_facts_rep(struct ntk_buf *b, struct ntk_facts_rep *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = get_outcome(b, &out->outcome)) != 0 ||
	    (r = ntk_buf_get_i32(b, &out->clock.today)) != 0 ||
	    (r = ntk_buf_get_i64(b, &out->clock.now)) != 0 ||
	    (r = ntk_buf_get_u32(b, &out->max_age)) != 0 ||
	    (r = get_deny_message(b, &out->deny_message)) != 0 ||
	    (r = decode_policy(b, &out->policy)) != 0 ||
	    (r = decode_subject(b, &out->subject)) != 0)
		goto out;
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_facts_rep_clear(out);
	return r;
}

/* ---- REPORT ------------------------------------------------------------- */

int
ntk_proto_encode_report_req(struct ntk_buf *b, const struct ntk_report_req *q)
{
	int r;

	if ((r = ntk_buf_put_str(b, q->user, NTK_NAME_MAX)) != 0 ||
	    (r = ntk_buf_put_str(b, q->system, NTK_NAME_MAX)) != 0 ||
	    (r = put_enum(b, action_ok, (uint32_t)q->action)) != 0 ||
	    (r = put_outcome(b, q->outcome)) != 0 ||
	    (r = ntk_buf_put_u32(b, q->rows)) != 0 ||
	    (r = ntk_buf_put_str(b, q->query_id, NTK_STR_MAX)) != 0 ||
	    (r = put_str_list(b, q->cases, q->ncases, NTK_REPORT_CASES_MAX,
	    NTK_CASE_ID_MAX, false)) != 0)
		return r;
	return 0;
}

int
ntk_proto_decode_report_req(struct ntk_buf *b, struct ntk_report_req *out)
{
	uint32_t action;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = ntk_buf_get_str(b, &out->user, NTK_NAME_MAX)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->system, NTK_NAME_MAX)) != 0 ||
	    (r = get_enum(b, action_ok, &action)) != 0 ||
	    (r = get_outcome(b, &out->outcome)) != 0 ||
	    (r = ntk_buf_get_u32(b, &out->rows)) != 0 ||
	    (r = ntk_buf_get_str(b, &out->query_id, NTK_STR_MAX)) != 0 ||
	    (r = get_str_list(b, NTK_REPORT_CASES_MAX, NTK_CASE_ID_MAX, false,
	    &out->cases, &out->ncases)) != 0)
		goto out;
	out->action = (enum ntk_action)action;
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_report_req_clear(out);
	return r;
}

/* ---- groups ------------------------------------------------------------- */

static int
encode_group(struct ntk_buf *b, const struct ntk_group *g)
{
	int r;

	if (g->name == NULL || g->name[0] == '\0')
		return NTK_ERR_BAD_VALUE;
	if ((r = ntk_buf_put_str(b, g->name, NTK_STR_MAX)) != 0 ||
	    (r = ntk_buf_put_u32(b, g->gid)) != 0 ||
	    (r = put_str_list(b, g->members, g->nmembers, NTK_LIST_MAX,
	    NTK_NAME_MAX, false)) != 0)
		return r;
	return 0;
}

/* On failure the caller clears *g. */
static int
decode_group(struct ntk_buf *b, struct ntk_group *g)
{
	int r;

	if ((r = ntk_buf_get_str(b, &g->name, NTK_STR_MAX)) != 0)
		return r;
	if (g->name[0] == '\0')
		return NTK_ERR_BAD_VALUE;
	if ((r = ntk_buf_get_u32(b, &g->gid)) != 0 ||
	    (r = get_str_list(b, NTK_LIST_MAX, NTK_NAME_MAX, false,
	    &g->members, &g->nmembers)) != 0)
		return r;
	return 0;
}

int
ntk_proto_encode_group(struct ntk_buf *b, const struct ntk_group *g)
{
	return encode_group(b, g);
}

int
ntk_proto_decode_group(struct ntk_buf *b, struct ntk_group *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = decode_group(b, out)) != 0)
		goto out;
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_group_clear(out);
	return r;
}

int
ntk_proto_encode_group_list(struct ntk_buf *b, const struct ntk_group_list *l)
{
	size_t i;
	int r;

	if ((r = put_count(b, l->ngroups, NTK_LIST_MAX)) != 0)
		return r;
	for (i = 0; i < l->ngroups; i++)
		if ((r = encode_group(b, &l->groups[i])) != 0)
			return r;
	return 0;
}

int
ntk_proto_decode_group_list(struct ntk_buf *b, struct ntk_group_list *out)
{
	size_t n, i;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = get_count(b, NTK_LIST_MAX, MIN_GROUP, &n)) != 0)
		goto out;
	if (n > 0) {
		if ((out->groups = calloc(n, sizeof(*out->groups))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		out->ngroups = n;
		for (i = 0; i < n; i++)
			if ((r = decode_group(b, &out->groups[i])) != 0)
				goto out;
	}
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_group_list_clear(out);
	return r;
}

int
ntk_proto_encode_gid_list(struct ntk_buf *b, const struct ntk_gid_list *l)
{
	size_t i;
	int r;

	if ((r = put_count(b, l->ngids, NTK_LIST_MAX)) != 0)
		return r;
	for (i = 0; i < l->ngids; i++)
		if ((r = ntk_buf_put_u32(b, l->gids[i])) != 0)
			return r;
	return 0;
}

int
ntk_proto_decode_gid_list(struct ntk_buf *b, struct ntk_gid_list *out)
{
	size_t n, i;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = get_count(b, NTK_LIST_MAX, MIN_U32, &n)) != 0)
		goto out;
	if (n > 0) {
		if ((out->gids = calloc(n, sizeof(*out->gids))) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		out->ngids = n;
		for (i = 0; i < n; i++)
			if ((r = ntk_buf_get_u32(b, &out->gids[i])) != 0)
				goto out;
	}
	r = ntk_proto_expect_end(b);
 out:
	if (r != 0)
		ntk_gid_list_clear(out);
	return r;
}

/* ---- single-field bodies and ERROR ------------------------------------- */

int
ntk_proto_encode_str(struct ntk_buf *b, const char *s)
{
	return ntk_buf_put_str(b, s, NTK_STR_MAX);
}

int
ntk_proto_decode_str(struct ntk_buf *b, char **out)
{
	int r;

	*out = NULL;
	if ((r = ntk_buf_get_str(b, out, NTK_STR_MAX)) != 0)
		return r;
	if ((r = ntk_proto_expect_end(b)) != 0) {
		free(*out);
		*out = NULL;
	}
	return r;
}

int
ntk_proto_encode_u32(struct ntk_buf *b, uint32_t v)
{
	return ntk_buf_put_u32(b, v);
}

int
ntk_proto_decode_u32(struct ntk_buf *b, uint32_t *out)
{
	int r;

	*out = 0;
	if ((r = ntk_buf_get_u32(b, out)) != 0)
		return r;
	if ((r = ntk_proto_expect_end(b)) != 0)
		*out = 0;
	return r;
}

int
ntk_proto_encode_error(struct ntk_buf *b, int code, const char *message)
{
	int r;

	/* An error reply that says "0" would read as success: never send one. */
	if (code >= 0)
		return NTK_ERR_BAD_VALUE;
	if ((r = ntk_buf_put_i32(b, code)) != 0 ||
	    (r = ntk_buf_put_str(b, message, NTK_STR_MAX)) != 0)
		return r;
	return 0;
}

int
ntk_proto_decode_error(struct ntk_buf *b, int *code, char **message)
{
	int32_t v;
	int r;

	*code = 0;
	*message = NULL;
	if ((r = ntk_buf_get_i32(b, &v)) != 0 ||
	    (r = ntk_buf_get_str(b, message, NTK_STR_MAX)) != 0)
		goto out;
	if (v >= 0) {
		r = NTK_ERR_BAD_VALUE;
		goto out;
	}
	if ((r = ntk_proto_expect_end(b)) != 0)
		goto out;
	*code = v;
 out:
	if (r != 0) {
		free(*message);
		*message = NULL;
	}
	return r;
}

/* ---- clear -------------------------------------------------------------- */

void
ntk_check_req_clear(struct ntk_check_req *q)
{
	if (q == NULL)
		return;
	free(q->user);
	free(q->system);
	free(q->case_id);
	/* A break-glass reason may be sensitive: wipe it. */
	if (q->reason != NULL)
		explicit_bzero(q->reason, strlen(q->reason));
	free(q->reason);
	free(q->rhost);
	free(q->tty);
	memset(q, 0, sizeof(*q));
}

void
ntk_check_rep_clear(struct ntk_check_rep *p)
{
	if (p == NULL)
		return;
	free(p->verdict);
	free(p->explain);
	free(p->deny_message);
	memset(p, 0, sizeof(*p));
}

void
ntk_facts_req_clear(struct ntk_facts_req *q)
{
	if (q == NULL)
		return;
	free(q->user);
	free(q->system);
	memset(q, 0, sizeof(*q));
}

void
ntk_facts_rep_clear(struct ntk_facts_rep *p)
{
	if (p == NULL)
		return;
	free(p->deny_message);
	ntk_policy_clear(&p->policy);
	ntk_subject_clear(&p->subject);
	memset(p, 0, sizeof(*p));
}

void
ntk_report_req_clear(struct ntk_report_req *q)
{
	if (q == NULL)
		return;
	free(q->user);
	free(q->system);
	free(q->query_id);
	ntk_strv_free(q->cases, q->ncases);
	memset(q, 0, sizeof(*q));
}

void
ntk_group_clear(struct ntk_group *g)
{
	if (g == NULL)
		return;
	free(g->name);
	ntk_strv_free(g->members, g->nmembers);
	memset(g, 0, sizeof(*g));
}

void
ntk_group_list_clear(struct ntk_group_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	if (l->groups != NULL)
		for (i = 0; i < l->ngroups; i++)
			ntk_group_clear(&l->groups[i]);
	free(l->groups);
	memset(l, 0, sizeof(*l));
}

void
ntk_gid_list_clear(struct ntk_gid_list *l)
{
	if (l == NULL)
		return;
	free(l->gids);
	memset(l, 0, sizeof(*l));
}
