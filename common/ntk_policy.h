/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The need-to-know decision: a pure function of request, facts, policy and clock. */
#ifndef NTK_POLICY_H
#define NTK_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTK_CASE_ID_MAX 64      /* CASEID is [A-Za-z0-9._:-]{1,64} */
#define NTK_NAME_MAX 256        /* user, system and role names */
#define NTK_NO_END INT32_MAX    /* an assignment without `until` */

enum ntk_action {
	NTK_ACTION_LOGIN = 0,
	NTK_ACTION_READ = 1,
	NTK_ACTION_WRITE = 2,
	NTK_ACTION_RELEASE = 3,        /* disclosing a case outside the agency */
};

enum ntk_case_state {
	NTK_STATE_OPEN = 0,
	NTK_STATE_CLOSED = 1,
	NTK_STATE_SEALED = 2,
};

/* A role's reach over cases (`cases =` in [role:NAME]). */
enum ntk_scope {
	NTK_SCOPE_NONE = 0,
	NTK_SCOPE_ASSIGNED = 1,
	NTK_SCOPE_SUPERVISED = 2,
	NTK_SCOPE_ALL = 3,
};

/*
 * Every outcome of a decision, allow and deny alike. The numeric values
 * travel on the wire: append, never renumber.
 */
enum ntk_outcome {
	NTK_ALLOW_SYSTEM_ACCESS = 0,   /* rule=system-access */
	NTK_ALLOW_ASSIGNED = 1,        /* rule=assigned */
	NTK_ALLOW_SUPERVISOR = 2,      /* rule=supervisor */
	NTK_ALLOW_ROLE = 3,            /* rule=role:NAME */
	NTK_ALLOW_BREAK_GLASS = 4,     /* rule=break-glass */
	NTK_DENY_UNKNOWN_SYSTEM = 16,  /* reason=unknown-system */
	NTK_DENY_UNKNOWN_USER = 17,    /* reason=unknown-user */
	NTK_DENY_SYSTEM_NOT_PERMITTED = 18, /* reason=system-not-permitted */
	NTK_DENY_CASE_CLOSED = 19,     /* reason=case-closed */
	NTK_DENY_CASE_SEALED = 20,     /* reason=case-sealed */
	NTK_DENY_NO_BUSINESS_REASON = 21, /* reason=no-business-reason */
	NTK_DENY_READ_ONLY = 22,       /* reason=read-only */
	NTK_DENY_ASSIGNMENT_EXPIRED = 23, /* reason=assignment-expired */
	NTK_DENY_DIRECTORY_UNAVAILABLE = 24, /* reason=directory-unavailable */
	NTK_DENY_ACCOUNT_DISABLED = 25, /* reason=account-disabled */
	NTK_DENY_NOT_CASE_MANAGER = 26, /* reason=not-case-manager */
};

/* [role:NAME] */
struct ntk_role {
	char *name;
	enum ntk_scope scope;
	bool write;
	bool closed;
	bool sealed;
	bool break_glass;
	bool release;
};

/* The longest deny_message (bytes): one line for a person, shown by PAM, SQL and ntkctl. */
#define NTK_DENY_MESSAGE_MAX 512

/* [system:NAME]: the roles that may use it, in the order `roles =` lists them. */
struct ntk_system {
	char *name;
	size_t *role_idx;       /* indices into ntk_policy.roles */
	size_t nroles;
	char *deny_message;     /* told to whoever is denied; NULL: none. Not part of any decision. */
};

struct ntk_policy {
	struct ntk_role *roles;
	size_t nroles;
	struct ntk_system *systems;
	size_t nsystems;
	unsigned supervision_depth;
};

/* One parsed ntkCaseAssignment value (see ntk_assignment.h). */
struct ntk_assignment {
	char case_id[NTK_CASE_ID_MAX + 1];
	char *system;           /* NULL: valid on every system */
	int32_t until;          /* last valid day, days since 1970-01-01 UTC; NTK_NO_END */
	bool read_only;         /* access=read */
};

/* An assignment held by someone below the subject in the manager chain. */
struct ntk_supervised {
	struct ntk_assignment assignment;
	char *holder;           /* the subordinate's user name */
	unsigned depth;         /* 1: direct report */
};

/* An active break-glass grant for one case, on the one system it was given on. */
struct ntk_grant {
	char case_id[NTK_CASE_ID_MAX + 1];
	char system[NTK_NAME_MAX + 1];  /* inline like case_id: grant arrays are copied by value */
	int64_t expires;        /* unix seconds */
};

struct ntk_case_index;   /* ntk_case_index.h */

/* What the directory (and the daemon's grant store) says about one user. */
struct ntk_subject {
	bool found;             /* false: not in the directory */
	bool disabled;          /* found, but the entry does not match staff_filter */
	char *name;
	char **roles;
	size_t nroles;
	struct ntk_assignment *assignments;
	size_t nassignments;
	struct ntk_supervised *supervised;
	size_t nsupervised;
	struct ntk_grant *grants;
	size_t ngrants;
	/*
	 * NULL, or the assignments by case id (ntk_case_index_build), owned:
	 * a decision then looks at the asked case's entries only, not at all
	 * of a supervisor's thousands. Same outcomes either way.
	 */
	struct ntk_case_index *index;
};

struct ntk_query {
	const char *system;
	enum ntk_action action;
	const char *case_id;    /* NULL or "" for login */
	enum ntk_case_state state;
};

/* "Now", passed in so the core never reads a clock. */
struct ntk_clock {
	int32_t today;          /* days since 1970-01-01 UTC */
	int64_t now;            /* unix seconds, for break-glass expiry */
};

/*
 * The outcome and the facts that decided it. Pointers refer into the
 * policy and subject passed to ntk_policy_decide and live as long as they do.
 */
struct ntk_decision {
	enum ntk_outcome outcome;
	const struct ntk_role *role;             /* the role named by rule=role:NAME */
	const struct ntk_assignment *assignment; /* the matching own assignment */
	const struct ntk_supervised *via;        /* the subordinate's assignment for rule=supervisor */
	const struct ntk_grant *grant;           /* the grant for rule=break-glass */
	bool break_glass_eligible;               /* denied, but a counting role allows break-glass */
};

/* Decide one request. Never fails: every input maps to an outcome. */
void ntk_policy_decide(const struct ntk_policy *policy,
    const struct ntk_subject *subject, const struct ntk_query *query,
    const struct ntk_clock *clock, struct ntk_decision *out);

bool ntk_outcome_allows(enum ntk_outcome outcome);

/* "system-access", "assigned", ..., "no-business-reason"; "role" for NTK_ALLOW_ROLE. */
const char *ntk_outcome_name(enum ntk_outcome outcome);

/* True when `value` is a known outcome number (for wire decoding). */
bool ntk_outcome_valid(uint32_t value);

/*
 * The one-line verdict of ntkctl check: "ALLOW rule=assigned",
 * "ALLOW rule=role:legal", "DENY reason=no-business-reason".
 * Returns 0, or NTK_ERR_TOO_LONG when it does not fit.
 */
int ntk_decision_format(const struct ntk_decision *decision, char *buf, size_t len);

/* Role names are equal ignoring ASCII case (never the locale's). */
bool ntk_role_name_eq(const char *a, const char *b);

/* Find a system by name (exactly); NULL when not declared. Roles match ignoring ASCII case. */
const struct ntk_system *ntk_policy_find_system(const struct ntk_policy *policy, const char *name);
const struct ntk_role *ntk_policy_find_role(const struct ntk_policy *policy, const char *name);

/* Names of the enums, and parsers for their config/CLI/wire spellings (0 or NTK_ERR_BAD_VALUE). */
const char *ntk_action_name(enum ntk_action action);
const char *ntk_state_name(enum ntk_case_state state);
const char *ntk_scope_name(enum ntk_scope scope);
int ntk_action_parse(const char *s, enum ntk_action *out);
int ntk_state_parse(const char *s, enum ntk_case_state *out);
int ntk_scope_parse(const char *s, enum ntk_scope *out);

/* Deep free; each accepts NULL and frees the members, not the struct itself. */
void ntk_policy_clear(struct ntk_policy *policy);
void ntk_subject_clear(struct ntk_subject *subject);
void ntk_assignment_clear(struct ntk_assignment *assignment);

#endif /* NTK_POLICY_H */
