/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal types shared by the files of `ntkctl audit`: options, one decoded record, views. */
#ifndef NTK_AUDIT_H
#define NTK_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define NTK_AUDIT_DEFAULT_THRESHOLD 5
#define NTK_AUDIT_DEFAULT_CONFIG "/etc/ntk/ntk.conf"
#define NTK_AUDIT_MAX_FILTER 16        /* values per repeated filter option */
#define NTK_AUDIT_CASE_CAP 10000       /* distinct cases kept per user for --browsing */

#define NTK_AUDIT_DEFAULT_GAP 1800        /* seconds without a record that end a session */
#define NTK_AUDIT_GRANT_ACCESS_CAP 1000    /* accesses listed per break-glass grant */

enum ntk_audit_view { NTK_AUDIT_SUMMARY = 0, NTK_AUDIT_LIST, NTK_AUDIT_BROWSING,
	NTK_AUDIT_BREAK_GLASS };
enum ntk_audit_format { NTK_AUDIT_TEXT = 0, NTK_AUDIT_CSV, NTK_AUDIT_JSON, NTK_AUDIT_NDJSON };
/* What the summary is grouped by: user, system, node and reason, or case and user. */
enum ntk_audit_by { NTK_AUDIT_BY_DEFAULT = 0, NTK_AUDIT_BY_CASE };
enum ntk_audit_result { NTK_AUDIT_ANY = 0, NTK_AUDIT_DENIED_ONLY, NTK_AUDIT_ALLOWED_ONLY };

struct ntk_audit_opts {
	enum ntk_audit_view view;
	enum ntk_audit_format format;
	enum ntk_audit_result result;
	bool have_since, have_until;
	time_t since, until;           /* inclusive, whole seconds */
	const char *users[NTK_AUDIT_MAX_FILTER];
	size_t nusers;
	const char *systems[NTK_AUDIT_MAX_FILTER];
	size_t nsystems;
	const char *cases[NTK_AUDIT_MAX_FILTER];
	size_t ncases;
	const char *reasons[NTK_AUDIT_MAX_FILTER];
	size_t nreasons;
	const char *nodes[NTK_AUDIT_MAX_FILTER];
	size_t nnodes;
	enum ntk_audit_by by;
	unsigned long top;             /* rows per summary group; 0: all */
	bool unreviewed;               /* break-glass: only grants without a review */
	bool have_serial;              /* review: the grant's serial */
	unsigned long serial;
	long gap;                      /* timeline: seconds that end a session */
	unsigned threshold;            /* 0: not given, take the config's */
	const char **inputs;           /* NULL: the default logs; "-" alone: stdin */
	size_t ninputs;
	bool help;
};

/* The op= of a needtoknow record; every other op is ignored. */
enum ntk_audit_op { NTK_AUDIT_OP_LOGIN = 0, NTK_AUDIT_OP_CASE, NTK_AUDIT_OP_STATEMENT,
	NTK_AUDIT_OP_BREAK_GLASS, NTK_AUDIT_OP_REVIEW };

/* One needtoknow decision, values decoded (bytes as written, any byte but NUL). */
struct ntk_audit_rec {
	time_t sec;
	unsigned msec;
	unsigned long serial;
	enum ntk_audit_op op;
	bool allowed;                  /* res=success */
	const char *user;              /* acct= */
	const char *system;
	const char *case_id;           /* case=, or cases= of a statement (comma-separated) */
	const char *access;            /* read|write|release, "login" for logins */
	const char *state;
	const char *reason;            /* reason= of a denial, rule= of an allow */
	const char *peer_exe;
	const char *peer_pid;
	const char *peer_uid;
	const char *host;              /* hostname=, or addr= when there is none */
	const char *node;              /* node= auditd's name_format put first; NULL: none */
	const char *sender_uid;        /* uid= of the process that wrote the record */
	const char *grant_id;          /* break-glass and review: grant_id= */
	const char *justification;     /* break-glass: the stated reason */
	const char *minutes;           /* break-glass: how long the grant lasts */
	const char *grant_node;        /* review: the grant's node, serial and time */
	const char *grant_serial;
	const char *grant_time;
	const char *reviewer;          /* review: who reviewed, and the note */
	const char *note;
};

const char *ntk_audit_op_name(enum ntk_audit_op op);

/* ntk_audit_args.c */
int ntk_audit_parse_args(int argc, char **argv, struct ntk_audit_opts *o, time_t now);
int ntk_audit_parse_time(const char *word, const char *clock, time_t now, time_t *out);
unsigned ntk_audit_config_threshold(const char *path, int *err);
void ntk_audit_usage(FILE *f);

/*
 * ntk_audit_read.c: calls `fn` for every needtoknow record that passes the
 * filters. *incomplete is set when the rotations read have a gap (said on
 * stderr, the rest read). Returns 0 or a negative error (an unreadable file:
 * said on stderr before anything is read).
 */
typedef int (*ntk_audit_rec_fn)(const struct ntk_audit_rec *r, void *ctx);
int ntk_audit_read(const struct ntk_audit_opts *o, ntk_audit_rec_fn fn, void *ctx,
    bool *incomplete);

/* ntk_audit_logs.c: the files to read, in order, and what is wrong with the set. */
int ntk_audit_logs(const struct ntk_audit_opts *o, char ***out, bool *incomplete);
void ntk_audit_logs_free(char **v);
int ntk_audit_log_group(char *buf, size_t len);
bool ntk_audit_case_matches(const struct ntk_audit_rec *r, const char *want);

/* ntk_audit_agg.c: summary counts and browsing sets, bounded by distinct keys. */
struct ntk_audit_agg;
int ntk_audit_agg_new(struct ntk_audit_agg **out);
void ntk_audit_agg_free(struct ntk_audit_agg *a);
int ntk_audit_agg_add(struct ntk_audit_agg *a, const struct ntk_audit_rec *r,
    enum ntk_audit_view view, enum ntk_audit_by by);

/* A table cell: a string, or a list of strings (browsing's cases). */
/* TIME is a string we made (shown as is); STR is untrusted (escaped, formula-neutralised). */
enum ntk_audit_col_type { NTK_AUDIT_COL_STR = 0, NTK_AUDIT_COL_TIME, NTK_AUDIT_COL_NUM,
	NTK_AUDIT_COL_BOOL, NTK_AUDIT_COL_LIST };
struct ntk_audit_col {
	const char *name;
	enum ntk_audit_col_type type;
};
struct ntk_audit_cell {
	const char *str;               /* STR, NUM ("123"), BOOL ("yes"/"no") */
	const char *const *list;       /* LIST */
	size_t nlist;
};

/* ntk_audit_out.c: one table, written as aligned text, CSV or JSON. */
struct ntk_audit_out;
int ntk_audit_out_begin(FILE *f, enum ntk_audit_format fmt, const struct ntk_audit_col *cols,
    size_t ncols, struct ntk_audit_out **out);
int ntk_audit_out_row(struct ntk_audit_out *t, const struct ntk_audit_cell *cells);
/* Flush and free; returns the number of rows written, or a negative error. */
long ntk_audit_out_end(struct ntk_audit_out *t);
void ntk_audit_out_free(struct ntk_audit_out *t);

/* ntk_audit_agg.c views */
int ntk_audit_agg_summary(struct ntk_audit_agg *a, unsigned long top, struct ntk_audit_out *t);
int ntk_audit_agg_by_case(struct ntk_audit_agg *a, unsigned long top, struct ntk_audit_out *t);
int ntk_audit_agg_browsing(struct ntk_audit_agg *a, unsigned threshold, unsigned long top,
    struct ntk_audit_out *t);
extern const struct ntk_audit_col ntk_audit_by_case_cols[];
extern const size_t ntk_audit_by_case_ncols;
extern const struct ntk_audit_col ntk_audit_summary_cols[];
extern const size_t ntk_audit_summary_ncols;
extern const struct ntk_audit_col ntk_audit_browsing_cols[];
extern const size_t ntk_audit_browsing_ncols;

/* ntk_audit_list.c: --list rows; ndjson has its own columns (ISO time, epoch). */
extern const struct ntk_audit_col ntk_audit_list_cols[];
extern const size_t ntk_audit_list_ncols;
extern const struct ntk_audit_col ntk_audit_ndjson_cols[];
extern const size_t ntk_audit_ndjson_ncols;
int ntk_audit_list_row(struct ntk_audit_out *t, enum ntk_audit_format fmt,
    const struct ntk_audit_rec *r);
int ntk_audit_time_str(time_t sec, unsigned msec, bool iso, char *buf, size_t len);

/* ntk_audit_timeline.c: one user's records sorted, with the idle gap before each. */
struct ntk_audit_timeline;
extern const struct ntk_audit_col ntk_audit_timeline_cols[];
extern const size_t ntk_audit_timeline_ncols;
int ntk_audit_timeline_new(struct ntk_audit_timeline **out);
int ntk_audit_timeline_add(struct ntk_audit_timeline *tl, const struct ntk_audit_rec *r);
int ntk_audit_timeline_print(struct ntk_audit_timeline *tl, long gap, struct ntk_audit_out *t);
void ntk_audit_timeline_free(struct ntk_audit_timeline *tl);

/* ntk_audit_grants.c: break-glass grants with their accesses and reviews. */
struct ntk_audit_grants;
extern const struct ntk_audit_col ntk_audit_grant_cols[];
extern const size_t ntk_audit_grant_ncols;
int ntk_audit_grants_new(struct ntk_audit_grants **out);
int ntk_audit_grants_add(struct ntk_audit_grants *g, const struct ntk_audit_rec *r,
    const struct ntk_audit_opts *o);
int ntk_audit_grants_print(struct ntk_audit_grants *g, bool unreviewed, struct ntk_audit_out *t);
/* The grant with this serial (review); *nfound says how many matched (only one may). */
struct ntk_audit_grant_ref {
	char *node, *grant_id, *user, *system, *case_id;
	unsigned long serial;
	time_t sec;
	unsigned msec;
};
int ntk_audit_grants_find(struct ntk_audit_grants *g, unsigned long serial,
    struct ntk_audit_grant_ref *out, size_t *nfound);
void ntk_audit_grant_ref_clear(struct ntk_audit_grant_ref *ref);
void ntk_audit_grants_free(struct ntk_audit_grants *g);

#endif /* NTK_AUDIT_H */
