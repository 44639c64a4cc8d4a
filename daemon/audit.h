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
 * and ntkd_audit_write_now fails.
 */
int ntkd_audit_start(unsigned queue_size, const char *auditd_pid_file, struct ntkd_audit **out);
/* Write what is queued, stop the thread, close. Accepts NULL. */
void ntkd_audit_stop(struct ntkd_audit *a);

/*
 * Queue a record (ownership passes). Never blocks: a full queue sends the
 * record to syslog and counts it as dropped.
 */
void ntkd_audit_submit(struct ntkd_audit *a, struct ntkd_audit_rec *rec);

/* Write a record now, bypassing the queue (break-glass). 0 or NTK_ERR_IO. */
int ntkd_audit_write_now(struct ntkd_audit *a, const struct ntkd_audit_rec *rec);

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
};

void ntkd_audit_counters(struct ntkd_audit *a, struct ntkd_audit_counters *out);
const char *ntkd_auditd_state_name(enum ntkd_auditd_state state);

/* auditd_watch.c: whether the pid file names a running process called auditd. */
bool ntkd_auditd_running(const char *pid_file);

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

#endif /* NTKD_AUDIT_H */
