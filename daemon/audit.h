/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit writer: the only libaudit user. A bounded queue drained by one thread. */
#ifndef NTKD_AUDIT_H
#define NTKD_AUDIT_H

#include <stdbool.h>
#include <sys/types.h>

/* One record for audit_log_user_message. */
struct ntkd_audit_rec {
	int type;                       /* AUDIT_USER_ACCT or AUDIT_TRUSTED_APP */
	char *msg;                      /* encoded fields, see audit_record.c */
	char *host;                     /* NULL: "?" */
	char *addr;                     /* NULL: "?" */
	char *tty;                      /* NULL: "?" */
	int result;                     /* 1 success, 0 res=failed */
};

struct ntkd_audit;

/*
 * Open the audit socket once and start the writer thread. A failing
 * audit_open is logged, not fatal: every record then goes to syslog and
 * counts as failed. auditd_pid_file (NULL: not watched) tells whether auditd
 * runs: while it does not, records also go to syslog and count as unheard,
 * and break-glass is refused.
 */
int ntkd_audit_start(unsigned queue_size, const char *auditd_pid_file, struct ntkd_audit **out);
/* Write what is queued, stop the thread, close. Accepts NULL. */
void ntkd_audit_stop(struct ntkd_audit *a);

/*
 * Queue a record (ownership passes). Never blocks: a full queue sends the
 * record to syslog and counts it as dropped.
 */
void ntkd_audit_submit(struct ntkd_audit *a, struct ntkd_audit_rec *rec);

/*
 * Who a record is for, so that no uid floods the log: records asked for by
 * an untrusted uid count against its budget of `budget` per `interval`
 * seconds (0: no limit); beyond it they are counted, not written, and one
 * op=ntk-suppressed record per uid and interval gives the count and cases.
 */
struct ntkd_audit_asker {
	uid_t uid;
	bool trusted;                   /* root or trusted_peers: never held back */
	bool always;                    /* a release or a break-glass access: reviewed one by one, never held back */
	unsigned budget;
	unsigned interval;
	const char *user;               /* the records' acct (an untrusted uid asks about itself) */
	const char *system;
	const char *case_id;            /* NULL or "" for none */
};
void ntkd_audit_submit_for(struct ntkd_audit *a, const struct ntkd_audit_asker *who,
    struct ntkd_audit_rec *rec);
struct ntkd_req;
/*
 * Fill *who for a request's record (its peer, trust and the config's
 * budget) about `action` decided `outcome`; returns who.
 */
const struct ntkd_audit_asker *ntkd_audit_asker(const struct ntkd_req *r, const char *user,
    const char *system, const char *case_id, int action, int outcome,
    struct ntkd_audit_asker *who);

/* Why break-glass was last refused for want of its record (STATUS). */
enum ntkd_bg_refusal {
	NTKD_BG_NONE,
	NTKD_BG_WRITE_FAILED,           /* the kernel refused the record */
	NTKD_BG_NO_AUDITD,              /* no auditd running to log it */
	NTKD_BG_LOG_UNREADABLE,         /* auditd's log file cannot be read */
	NTKD_BG_UNCONFIRMED,            /* sent, not in the log within the timeout */
	NTKD_BG_WRITER_HELD,            /* not even sent within the timeout */
};

/*
 * Write a break-glass record ahead of the queue and wait until it is in
 * auditd's log file `log_file` (NULL or "": auditd.conf's log_file), at
 * most `timeout_ms`. A grant_id= field unique to this record is added so it
 * can be found. The writer thread sends it: a send held in the kernel holds
 * no decision past the timeout. 0: in the log; NTK_ERR_IO: refuse the grant,
 * *why says why.
 */
/* Ownership of `rec` passes. */
int ntkd_audit_write_confirmed(struct ntkd_audit *a, struct ntkd_audit_rec *rec,
    const char *log_file, unsigned timeout_ms, enum ntkd_bg_refusal *why);
const char *ntkd_bg_refusal_name(enum ntkd_bg_refusal why);

enum ntkd_auditd_state {
	NTKD_AUDITD_UNKNOWN,            /* watched, no record written yet */
	NTKD_AUDITD_RUNNING,
	NTKD_AUDITD_NOT_RUNNING,
	NTKD_AUDITD_NOT_WATCHED,        /* auditd_pid_file = none */
};

struct ntkd_audit_counters {
	unsigned long written;          /* taken by the kernel with auditd running */
	unsigned long failed;           /* refused by the kernel: syslog only */
	unsigned long dropped;          /* queue full: syslog only */
	unsigned long unheard;          /* taken by the kernel, no auditd running: also syslog */
	enum ntkd_auditd_state auditd;  /* as of the last record */
	unsigned long suppressed;       /* over an untrusted uid's budget: counted in summaries */
	unsigned long summaries;        /* op=ntk-suppressed records queued */
	unsigned long bg_granted;       /* break-glass records seen in auditd's log */
	unsigned long bg_refused;       /* break-glass records not confirmed: grant refused */
	unsigned long bg_unconfirmed;   /* of those, taken by the kernel but not seen in time */
	enum ntkd_bg_refusal bg_last_refusal;
	unsigned long bg_confirm_ms_last; /* send to sighting, last confirmed grant */
	unsigned long bg_confirm_ms_max;
};

void ntkd_audit_counters(struct ntkd_audit *a, struct ntkd_audit_counters *out);
const char *ntkd_auditd_state_name(enum ntkd_auditd_state state);

/* auditd_watch.c: whether the pid file names a running process called auditd. */
bool ntkd_auditd_running(const char *pid_file);

/*
 * auditd's log file, followed from a mark (its end when the mark is set) to
 * find a record by a unique string; a rotation (rename, new file) is
 * followed. The path comes from auditd.conf when none is given.
 */
struct ntkd_auditlog {
	int fd;
	dev_t dev;
	ino_t ino;
	off_t off;                      /* read up to here */
	size_t ncarry;                  /* the tail kept for a needle across two reads */
	char carry[128];
	char path[4096];
};
int ntkd_auditlog_mark(const char *path, struct ntkd_auditlog *log);
/* 1: `needle` (shorter than carry) was written after the mark; 0: not yet; NTK_ERR_IO. */
int ntkd_auditlog_seen(struct ntkd_auditlog *log, const char *needle);
void ntkd_auditlog_close(struct ntkd_auditlog *log);
/* log_file from auditd.conf `conf`, or auditd's default when it names none. */
int ntkd_auditd_log_file(const char *conf, char *buf, size_t len);

void ntkd_audit_rec_free(struct ntkd_audit_rec *rec);

/* ---- audit_record.c: the record formats of the brief ---- */

struct ntkd_peer;

/* The decision being audited. `verdict` is "ALLOW rule=..." / "DENY reason=...". */
struct ntkd_audit_decision {
	const char *user;
	const char *system;
	int action;                     /* enum ntk_action */
	const char *case_id;
	int state;                      /* enum ntk_case_state */
	const char *verdict;
	bool allowed;
	const char *rhost;              /* logins: PAM_RHOST, may be empty */
	const char *tty;
};

/* op=ntk-login (USER_ACCT) or op=ntk-case (TRUSTED_APP). */
int ntkd_audit_rec_decision(const struct ntkd_audit_decision *dec,
    const struct ntkd_peer *peer, struct ntkd_audit_rec **out);
/* op=ntk-break-glass, res=success. */
int ntkd_audit_rec_break_glass(const struct ntkd_audit_decision *dec,
    const char *justification, unsigned minutes, const struct ntkd_peer *peer,
    struct ntkd_audit_rec **out);
/*
 * op=ntk-statement: reason=OUTCOME res=failed for denied rows, or
 * rule=OUTCOME res=success for the rows of an allowed release.
 */
int ntkd_audit_rec_statement(const char *user, const char *system, int action,
    int outcome, unsigned rows, char *const *cases, size_t ncases,
    const char *query, const struct ntkd_peer *peer, struct ntkd_audit_rec **out);
/*
 * op=ntk-suppressed: `count` records for `uid` held back over `interval`
 * seconds, `denied` of them denials (then res=failed), and the first cases.
 */
int ntkd_audit_rec_suppressed(uid_t uid, const char *user, const char *system,
    unsigned long count, unsigned long denied, unsigned interval, char *const *cases,
    size_t ncases, struct ntkd_audit_rec **out);

#endif /* NTKD_AUDIT_H */
