/* The audit writer thread and its bounded queue; failures go to syslog and counters. */
#include "config.h"

#include <libaudit.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"
#include "ntk_clock.h"
#include "ntk_err.h"

struct ntkd_audit {
	int fd;                         /* audit_open(), or -1 */
	pthread_mutex_t fd_lock;        /* writer thread and break-glass share fd */

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ntkd_audit_rec **ring;
	size_t cap, head, count;
	bool stopping;
	pthread_t thread;
	bool started;

	atomic_ulong written, failed, dropped, unheard;

	/* auditd, watched through its pid file; NULL: not watched. */
	char *pid_file;
	int64_t auditd_checked;         /* monotonic second of the last look (under fd_lock) */
	atomic_int auditd_state;        /* enum ntkd_auditd_state: UNKNOWN until the first look */
	unsigned delay_ms;              /* test hook: a slow auditd, see ntkd_audit_start */
	bool refuse;                    /* test hook: every write fails */
};

void
ntkd_audit_rec_free(struct ntkd_audit_rec *rec)
{
	if (rec == NULL)
		return;
	free(rec->msg);
	free(rec->host);
	free(rec->addr);
	free(rec->tty);
	free(rec);
}

/* The record, whole, in syslog: it is never silently lost. */
static void
to_syslog(const char *why, const struct ntkd_audit_rec *rec)
{
	ntkd_log_always(LOG_WARNING, "audit record %s: type=%d %s hostname=%s addr=%s terminal=%s res=%s",
	    why, rec->type, rec->msg, rec->host ? rec->host : "?", rec->addr ? rec->addr : "?",
	    rec->tty ? rec->tty : "?", rec->result ? "success" : "failed");
}

/* Whether auditd runs, looked at most once a second; a change is logged once. Under fd_lock. */
static bool
auditd_listening(struct ntkd_audit *a)
{
	enum ntkd_auditd_state was = atomic_load(&a->auditd_state), is;
	int64_t now;
	bool up;

	if (a->pid_file == NULL)
		return true;
	now = ntk_mono_ms() / 1000;
	if (was != NTKD_AUDITD_UNKNOWN && now == a->auditd_checked)
		return was == NTKD_AUDITD_RUNNING;
	up = ntkd_auditd_running(a->pid_file);
	is = up ? NTKD_AUDITD_RUNNING : NTKD_AUDITD_NOT_RUNNING;
	if (is != was) {
		if (up)
			ntkd_log(LOG_NOTICE, "auditd is running (%s): records go to the audit log",
			    a->pid_file);
		else
			ntkd_log(LOG_ERR, "auditd is not running (%s): every audit record also goes "
			    "to syslog, and break-glass is refused, until it is back", a->pid_file);
	}
	a->auditd_checked = now;
	atomic_store(&a->auditd_state, is);
	return up;
}

/* 0 only when the kernel took the record and auditd is there to log it. */
static int
write_rec(struct ntkd_audit *a, const struct ntkd_audit_rec *rec)
{
	bool listening;
	int rc = -1;

	pthread_mutex_lock(&a->fd_lock);
	if (a->fd < 0)
		a->fd = audit_open();   /* the kernel may have come back */
	listening = auditd_listening(a);
	/* A full backlog holds the sender inside the send, with the fd lock taken. */
	if (a->delay_ms > 0)
		usleep(a->delay_ms * 1000u);
	if (a->fd >= 0 && !a->refuse)
		rc = audit_log_user_message(a->fd, rec->type, rec->msg,
		    rec->host ? rec->host : "?", rec->addr ? rec->addr : "?",
		    rec->tty ? rec->tty : "?", rec->result);
	pthread_mutex_unlock(&a->fd_lock);
	if (rc <= 0) {
		atomic_fetch_add(&a->failed, 1);
		to_syslog("not written to the audit log", rec);
		return NTK_ERR_IO;
	}
	if (!listening) {
		/* Sent anyway: the kernel holds a few records for the next auditd. */
		atomic_fetch_add(&a->unheard, 1);
		to_syslog("sent to the kernel with no auditd running", rec);
		return NTK_ERR_IO;
	}
	atomic_fetch_add(&a->written, 1);
	return 0;
}

static void *
writer(void *arg)
{
	struct ntkd_audit *a = arg;
	struct ntkd_audit_rec *rec;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (a->count == 0 && !a->stopping)
			pthread_cond_wait(&a->cond, &a->lock);
		if (a->count == 0)
			break;
		rec = a->ring[a->head];
		a->head = (a->head + 1) % a->cap;
		a->count--;
		pthread_mutex_unlock(&a->lock);
		write_rec(a, rec);
		ntkd_audit_rec_free(rec);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int
ntkd_audit_start(unsigned queue_size, const char *auditd_pid_file, struct ntkd_audit **out)
{
	struct ntkd_audit *a;
	const char *delay;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NTK_ERR_NOMEM;
	a->cap = queue_size > 0 ? queue_size : 1;
	if ((a->ring = calloc(a->cap, sizeof(*a->ring))) == NULL) {
		free(a);
		return NTK_ERR_NOMEM;
	}
	if (auditd_pid_file != NULL && (a->pid_file = strdup(auditd_pid_file)) == NULL) {
		free(a->ring);
		free(a);
		return NTK_ERR_NOMEM;
	}
	a->auditd_state = a->pid_file != NULL ? NTKD_AUDITD_UNKNOWN : NTKD_AUDITD_NOT_WATCHED;
	pthread_mutex_init(&a->fd_lock, NULL);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	/*
	 * The integration tests simulate a stalled auditd with these (auditd is
	 * shared and must not be stopped); the environment of a service has it unset.
	 */
	if ((delay = secure_getenv("NTKD_TEST_AUDIT_DELAY_MS")) != NULL)
		a->delay_ms = (unsigned)strtoul(delay, NULL, 10) % 10000u;
	/* And an audit subsystem that refuses every record (break-glass must then be refused). */
	a->refuse = secure_getenv("NTKD_TEST_AUDIT_REFUSE") != NULL;
	if ((a->fd = audit_open()) < 0)
		ntkd_log(LOG_ERR, "audit_open failed: records will go to syslog");
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		ntkd_audit_stop(a);
		return NTK_ERR_INTERNAL;
	}
	a->started = true;
	*out = a;
	return 0;
}

void
ntkd_audit_stop(struct ntkd_audit *a)
{
	if (a == NULL)
		return;
	if (a->started) {
		pthread_mutex_lock(&a->lock);
		a->stopping = true;
		pthread_cond_signal(&a->cond);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
	}
	while (a->count > 0) {
		ntkd_audit_rec_free(a->ring[a->head]);
		a->head = (a->head + 1) % a->cap;
		a->count--;
	}
	if (a->fd >= 0)
		audit_close(a->fd);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_destroy(&a->fd_lock);
	free(a->ring);
	free(a->pid_file);
	free(a);
}

void
ntkd_audit_submit(struct ntkd_audit *a, struct ntkd_audit_rec *rec)
{
	bool queued = false;

	if (rec == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	if (a->count < a->cap && !a->stopping) {
		a->ring[(a->head + a->count) % a->cap] = rec;
		a->count++;
		queued = true;
		pthread_cond_signal(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	if (!queued) {
		atomic_fetch_add(&a->dropped, 1);
		to_syslog("dropped (audit queue full)", rec);
		ntkd_audit_rec_free(rec);
	}
}

int
ntkd_audit_write_now(struct ntkd_audit *a, const struct ntkd_audit_rec *rec)
{
	return write_rec(a, rec);
}

void
ntkd_audit_counters(struct ntkd_audit *a, struct ntkd_audit_counters *out)
{
	out->written = atomic_load(&a->written);
	out->failed = atomic_load(&a->failed);
	out->dropped = atomic_load(&a->dropped);
	out->unheard = atomic_load(&a->unheard);
	out->auditd = (enum ntkd_auditd_state)atomic_load(&a->auditd_state);
}

const char *
ntkd_auditd_state_name(enum ntkd_auditd_state state)
{
	switch (state) {
	case NTKD_AUDITD_RUNNING:
		return "running";
	case NTKD_AUDITD_NOT_RUNNING:
		return "not-running";
	case NTKD_AUDITD_NOT_WATCHED:
		return "not-watched";
	case NTKD_AUDITD_UNKNOWN:
		break;
	}
	return "unknown";
}
