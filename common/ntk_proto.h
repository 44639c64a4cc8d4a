/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ntkd wire protocol: every message, its fields, its limits, and its codec. */
#ifndef NTK_PROTO_H
#define NTK_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntk_buf.h"
#include "ntk_policy.h"

/*
 * Framing. Every message, request or reply, is
 *
 *     u32 body_length   bytes after this 8-byte header
 *     u16 version       NTK_PROTO_VERSION; anything else is refused
 *     u16 type          enum ntk_msg_type; a reply is request | NTK_MSG_REPLY
 *     body
 *
 * Integers are big-endian. A string is u32 length + bytes, no terminator,
 * no NUL inside, at most NTK_STR_MAX bytes unless said otherwise. A list is
 * u32 count (at most NTK_LIST_MAX) then the items. A body must be consumed
 * exactly: trailing bytes are an error. Bodies are at most NTK_REQUEST_MAX
 * for requests and NTK_REPLY_MAX for replies.
 *
 * Any request may be answered by NTK_MSG_ERROR instead of its reply:
 *     i32 code          a negative NTK_ERR_* (DENIED: the peer may not ask this)
 *     str message       for logs; never shown as a decision
 *
 * Any incompatible change bumps NTK_PROTO_VERSION.
 */
#define NTK_PROTO_VERSION 2      /* 2: deny_message in CHECK and FACTS replies, grant expiry in CHECK */
#define NTK_HEADER_LEN 8
#define NTK_REQUEST_MAX (64u * 1024u)
/*
 * Replies and lists are sized for the largest entries an agency has: a
 * worker with 200,000 case assignments is a FACTS of ~4 MiB, a supervisor
 * of 5,000 with 40 cases each ~7 MiB. A reader allocates only what the
 * length it was sent covers, so the cap bounds memory, not every reply.
 */
#define NTK_REPLY_MAX (32u * 1024u * 1024u)
#define NTK_STR_MAX 4096u
#define NTK_LIST_MAX (1024u * 1024u)
#define NTK_REPORT_CASES_MAX 64u      /* case ids carried in one REPORT */

enum ntk_msg_type {
	/*
	 * PING: no body. Reply: no body. The IPC floor for benchmarks and a
	 * liveness probe.
	 */
	NTK_MSG_PING = 1,

	/*
	 * CHECK: decide one request, and audit it unless DRY_RUN.
	 *     str user, str system, u8 action (enum ntk_action),
	 *     str case_id (empty for login), u8 state (enum ntk_case_state),
	 *     str reason (break-glass justification; empty: none),
	 *     str rhost, str tty (PAM_RHOST / PAM_TTY; empty: unknown),
	 *     u8 flags (NTK_CHECK_*)
	 * Reply:
	 *     u32 outcome (enum ntk_outcome), str verdict ("ALLOW rule=..." as
	 *     ntkctl prints it), str explain (empty unless NTK_CHECK_EXPLAIN),
	 *     i64 grant_expires (the break-glass grant this request made or
	 *     renewed, unix seconds; 0: none, as for every dry run),
	 *     str deny_message (<= NTK_DENY_MESSAGE_MAX: the system's
	 *     deny_message when the outcome is a denial; empty otherwise)
	 * An untrusted peer may only ask about its own user name.
	 */
	NTK_MSG_CHECK = 2,

	/*
	 * FACTS: everything a plugin needs to decide in-process (PostgreSQL,
	 * MariaDB decide each row with ntk_policy_decide).
	 *     str user, str system
	 * Reply:
	 *     u32 outcome  NTK_ALLOW_SYSTEM_ACCESS when the facts below are
	 *                  usable; otherwise the deny outcome (unknown-system,
	 *                  unknown-user, system-not-permitted,
	 *                  directory-unavailable) and the rest is empty
	 *     i32 today, i64 now       the daemon's clock
	 *     u32 max_age              seconds the caller may reuse these facts
	 *     str deny_message         the system's (<= NTK_DENY_MESSAGE_MAX;
	 *                              empty when none or the system is
	 *                              unknown), sent with a deny outcome too
	 *     policy: u32 supervision_depth,
	 *             list of roles: str name, u8 scope, u8 flags (NTK_ROLE_*)
	 *             list of systems: str name, list of u32 role index
	 *             (only the asked system and its roles are sent)
	 *     subject: u8 found, str name, list of str role,
	 *             list of assignment, list of supervised, list of grant
	 *     assignment: str case_id (<= NTK_CASE_ID_MAX), str system (empty:
	 *             any), i32 until, u8 read_only
	 *     supervised: assignment, str holder, u32 depth
	 *     grant: str case_id, str system (non-empty, <= NTK_NAME_MAX; the
	 *             system the grant was given on), i64 expires
	 */
	NTK_MSG_FACTS = 3,

	/*
	 * REPORT: a plugin's summary of one statement that filtered rows, or
	 * of the rows a release statement allowed; ntkd writes one TRUSTED_APP
	 * record for it (res=success for the allowed rows of a release).
	 *     str user, str system, u8 action, u32 outcome (the first denial's,
	 *     or the first allow's; an allow only with action release),
	 *     u32 rows (rows filtered out), str query_id,
	 *     list of str case_id (at most NTK_REPORT_CASES_MAX)
	 * Reply: no body.
	 */
	NTK_MSG_REPORT = 4,

	/*
	 * GROUP_BY_NAME: str name. GROUP_BY_GID: u32 gid.
	 * Reply (both): group: str name, u32 gid, list of str member.
	 * NOT_FOUND error when no such group or the peer may not see it.
	 */
	NTK_MSG_GROUP_BY_NAME = 5,
	NTK_MSG_GROUP_BY_GID = 6,

	/* INITGROUPS: str user. Reply: list of u32 gid (may be empty). */
	NTK_MSG_INITGROUPS = 7,

	/* GROUP_LIST: no body (enumeration). Reply: list of group. */
	NTK_MSG_GROUP_LIST = 8,

	/* STATUS: no body. Reply: str text, "key=value" lines. */
	NTK_MSG_STATUS = 9,

	/* FLUSH: str user (empty: everyone). Root only. Reply: u32 entries dropped. */
	NTK_MSG_FLUSH = 10,

	NTK_MSG_ERROR = 0x7fff,
	NTK_MSG_REPLY = 0x8000,
};

#define NTK_CHECK_DRY_RUN 0x01
#define NTK_CHECK_EXPLAIN 0x02

#define NTK_ROLE_WRITE 0x01
#define NTK_ROLE_CLOSED 0x02
#define NTK_ROLE_SEALED 0x04
#define NTK_ROLE_BREAK_GLASS 0x08
/*
 * Added with NTK_ACTION_RELEASE in the same layout, so no version bump: a
 * peer built before them refuses the value (BAD_VALUE) instead of misreading it.
 */
#define NTK_ROLE_RELEASE 0x10

struct ntk_check_req {
	char *user;
	char *system;
	enum ntk_action action;
	char *case_id;
	enum ntk_case_state state;
	char *reason;
	char *rhost;
	char *tty;
	uint8_t flags;
};

struct ntk_check_rep {
	enum ntk_outcome outcome;
	char *verdict;
	char *explain;
	int64_t grant_expires;          /* a break-glass grant made now: until then; 0: none */
	char *deny_message;             /* what to tell the person denied; "" when none */
};

struct ntk_facts_req {
	char *user;
	char *system;
};

struct ntk_facts_rep {
	enum ntk_outcome outcome;
	struct ntk_clock clock;
	uint32_t max_age;
	char *deny_message;             /* the system's; "" when none */
	struct ntk_policy policy;
	struct ntk_subject subject;
};

struct ntk_report_req {
	char *user;
	char *system;
	enum ntk_action action;
	enum ntk_outcome outcome;
	uint32_t rows;
	char *query_id;
	char **cases;
	size_t ncases;
};

struct ntk_group {
	char *name;
	uint32_t gid;
	char **members;
	size_t nmembers;
};

struct ntk_group_list {
	struct ntk_group *groups;
	size_t ngroups;
};

struct ntk_gid_list {
	uint32_t *gids;
	size_t ngids;
};

/*
 * Framing. ntk_proto_begin resets `b` and writes a header for `type`;
 * ntk_proto_end fills in the body length (NTK_ERR_TOO_LONG over the limit
 * for that direction). ntk_proto_header parses 8 header bytes, checking the
 * version and that the length is within `max_body`.
 */
int ntk_proto_begin(struct ntk_buf *b, uint16_t type);
int ntk_proto_end(struct ntk_buf *b);
int ntk_proto_header(const uint8_t hdr[NTK_HEADER_LEN], size_t max_body,
    uint32_t *body_len, uint16_t *type);

/*
 * Body codecs. encode_* append a body to a buffer opened by ntk_proto_begin;
 * decode_* read a whole body (from a view of it), fail on trailing bytes,
 * and on failure free whatever they allocated and leave *out zeroed.
 */
int ntk_proto_encode_check_req(struct ntk_buf *b, const struct ntk_check_req *r);
int ntk_proto_decode_check_req(struct ntk_buf *b, struct ntk_check_req *out);
int ntk_proto_encode_check_rep(struct ntk_buf *b, const struct ntk_check_rep *r);
int ntk_proto_decode_check_rep(struct ntk_buf *b, struct ntk_check_rep *out);
int ntk_proto_encode_facts_req(struct ntk_buf *b, const struct ntk_facts_req *r);
int ntk_proto_decode_facts_req(struct ntk_buf *b, struct ntk_facts_req *out);
int ntk_proto_encode_facts_rep(struct ntk_buf *b, const struct ntk_facts_rep *r);
int ntk_proto_decode_facts_rep(struct ntk_buf *b, struct ntk_facts_rep *out);
int ntk_proto_encode_report_req(struct ntk_buf *b, const struct ntk_report_req *r);
int ntk_proto_decode_report_req(struct ntk_buf *b, struct ntk_report_req *out);
int ntk_proto_encode_group(struct ntk_buf *b, const struct ntk_group *g);
int ntk_proto_decode_group(struct ntk_buf *b, struct ntk_group *out);
int ntk_proto_encode_group_list(struct ntk_buf *b, const struct ntk_group_list *l);
int ntk_proto_decode_group_list(struct ntk_buf *b, struct ntk_group_list *out);
int ntk_proto_encode_gid_list(struct ntk_buf *b, const struct ntk_gid_list *l);
int ntk_proto_decode_gid_list(struct ntk_buf *b, struct ntk_gid_list *out);
/* Single-field bodies: one string (user, name, status text) or one u32 (gid, count). */
int ntk_proto_encode_str(struct ntk_buf *b, const char *s);
int ntk_proto_decode_str(struct ntk_buf *b, char **out);
int ntk_proto_encode_u32(struct ntk_buf *b, uint32_t v);
int ntk_proto_decode_u32(struct ntk_buf *b, uint32_t *out);
int ntk_proto_encode_error(struct ntk_buf *b, int code, const char *message);
int ntk_proto_decode_error(struct ntk_buf *b, int *code, char **message);
/* Fail with NTK_ERR_TRAILING when bytes are left unread. */
int ntk_proto_expect_end(const struct ntk_buf *b);

/* Free members; each accepts NULL. */
void ntk_check_req_clear(struct ntk_check_req *r);
void ntk_check_rep_clear(struct ntk_check_rep *r);
void ntk_facts_req_clear(struct ntk_facts_req *r);
void ntk_facts_rep_clear(struct ntk_facts_rep *r);
void ntk_report_req_clear(struct ntk_report_req *r);
void ntk_group_clear(struct ntk_group *g);
void ntk_group_list_clear(struct ntk_group_list *l);
void ntk_gid_list_clear(struct ntk_gid_list *l);

#endif /* NTK_PROTO_H */
