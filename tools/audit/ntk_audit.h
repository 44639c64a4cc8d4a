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

enum ntk_audit_view { NTK_AUDIT_SUMMARY = 0, NTK_AUDIT_LIST, NTK_AUDIT_BROWSING };
enum ntk_audit_format { NTK_AUDIT_TEXT = 0, NTK_AUDIT_CSV, NTK_AUDIT_JSON };
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
	unsigned threshold;            /* 0: not given, take the config's */
	const char **inputs;           /* NULL: the default logs; "-" alone: stdin */
	size_t ninputs;
	bool help;
};

/* The op= of a needtoknow record; every other op is ignored. */
enum ntk_audit_op { NTK_AUDIT_OP_LOGIN = 0, NTK_AUDIT_OP_CASE, NTK_AUDIT_OP_STATEMENT,
	NTK_AUDIT_OP_BREAK_GLASS };

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
};

const char *ntk_audit_op_name(enum ntk_audit_op op);

/* ntk_audit_args.c */
int ntk_audit_parse_args(int argc, char **argv, struct ntk_audit_opts *o, time_t now);
int ntk_audit_parse_time(const char *word, const char *clock, time_t now, time_t *out);
unsigned ntk_audit_config_threshold(const char *path, int *err);
void ntk_audit_usage(FILE *f);

/* ntk_audit_read.c: calls `fn` for every needtoknow record that passes the filters. */
typedef int (*ntk_audit_rec_fn)(const struct ntk_audit_rec *r, void *ctx);
int ntk_audit_read(const struct ntk_audit_opts *o, ntk_audit_rec_fn fn, void *ctx);
bool ntk_audit_case_matches(const struct ntk_audit_rec *r, const char *want);

/* ntk_audit_agg.c: summary counts and browsing sets, bounded by distinct keys. */
struct ntk_audit_agg;
int ntk_audit_agg_new(struct ntk_audit_agg **out);
void ntk_audit_agg_free(struct ntk_audit_agg *a);
int ntk_audit_agg_add(struct ntk_audit_agg *a, const struct ntk_audit_rec *r, bool browsing);

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
int ntk_audit_agg_summary(struct ntk_audit_agg *a, struct ntk_audit_out *t);
int ntk_audit_agg_browsing(struct ntk_audit_agg *a, unsigned threshold, struct ntk_audit_out *t);
extern const struct ntk_audit_col ntk_audit_summary_cols[];
extern const size_t ntk_audit_summary_ncols;
extern const struct ntk_audit_col ntk_audit_browsing_cols[];
extern const size_t ntk_audit_browsing_ncols;

/* ntk_audit_list.c */
extern const struct ntk_audit_col ntk_audit_list_cols[];
extern const size_t ntk_audit_list_ncols;
int ntk_audit_list_row(struct ntk_audit_out *t, const struct ntk_audit_rec *r);

#endif /* NTK_AUDIT_H */
