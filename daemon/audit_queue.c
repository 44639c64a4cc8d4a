/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The audit writer thread: its bounded queue, break-glass records sent ahead
 * of it and confirmed in auditd's log, and per-uid budgets; failures go to
 * syslog and counters.
 */
#include "config.h"

#include <errno.h>
#include <libaudit.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "audit.h"
#include "audit_budget.h"
#include "log.h"
#include "ntk_clock.h"
#include "ntk_err.h"

#define AUDITD_CONF "/etc/audit/auditd.conf"
/*
 * How often a waiting grant looks at auditd's log: soon at first (the record
 * usually lands within a few ms), then less often, so a long wait does not
 * take the queue's lock and read the log a thousand times a second.
 */
#define CONFIRM_POLL_FIRST_MS 1
#define CONFIRM_POLL_MAX_MS 32

/* A break-glass record handed to the writer; the waiting request and the writer share it. */
struct ticket {
	struct ticket *next;
	struct ntkd_audit_rec *rec;
	bool done;                      /* sent (or refused) by the writer; rc says which */
	bool abandoned;                 /* the request stopped waiting: do not send it */
	int rc;
	int refs;
};

struct ntkd_audit {
	int fd;                         /* audit_open(), or -1 */

	pthread_mutex_t lock;
	pthread_cond_t cond;            /* work for the writer */
	pthread_cond_t sent;            /* a ticket is done */
	struct ntkd_audit_rec **ring;
	size_t cap, head, count;
	struct ticket *urgent, *urgent_tail;
	bool stopping;
	pthread_t thread;
	bool started;

	struct ntkd_budget *budget;
	int64_t budget_checked;         /* monotonic second windows were last closed (writer only) */

	atomic_ulong written, failed, dropped, unheard, suppressed, summaries;
	atomic_ulong bg_granted, bg_refused, bg_unconfirmed, bg_ms_last, bg_ms_max;
	atomic_int bg_last_refusal;

	/* auditd, watched through its pid file; NULL: not watched. */
	char *pid_file;
	int64_t auditd_checked;         /* monotonic second of the last look (writer thread) */
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

/* Whether auditd runs, looked at most once a second; a change is logged once. Writer thread only. */
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

/*
 * 0 only when the kernel took the record and auditd is there to log it;
 * NTK_ERR_UNAVAILABLE when no auditd runs, NTK_ERR_IO when refused.
 */
static int
write_rec(struct ntkd_audit *a, const struct ntkd_audit_rec *rec)
{
	bool listening;
	int rc = -1;

	/* Only the writer thread sends: the fd and the auditd look need no lock. */
	if (a->fd < 0)
		a->fd = audit_open();   /* the kernel may have come back */
	listening = auditd_listening(a);
	/* A full backlog holds the sender inside the send. */
	if (a->delay_ms > 0)
		usleep(a->delay_ms * 1000u);
	if (a->fd >= 0 && !a->refuse)
		rc = audit_log_user_message(a->fd, rec->type, rec->msg,
		    rec->host ? rec->host : "?", rec->addr ? rec->addr : "?",
		    rec->tty ? rec->tty : "?", rec->result);
	if (rc <= 0) {
		atomic_fetch_add(&a->failed, 1);
		to_syslog("not written to the audit log", rec);
		return NTK_ERR_IO;
	}
	if (!listening) {
		/* Sent anyway: the kernel holds a few records for the next auditd. */
		atomic_fetch_add(&a->unheard, 1);
		to_syslog("sent to the kernel with no auditd running", rec);
		return NTK_ERR_UNAVAILABLE;
	}
	atomic_fetch_add(&a->written, 1);
	return 0;
}

static void
ticket_unref(struct ticket *t)
{
	if (--t->refs > 0)
		return;
	ntkd_audit_rec_free(t->rec);
	free(t);
}

/* An absolute CLOCK_MONOTONIC time, `ms` from the epoch ntk_mono_ms counts from. */
static struct timespec
mono_abs(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	return ts;
}

/* Write a closed window's summary (writer thread). */
static void
emit_summary(void *arg, const struct ntkd_budget_summary *sum)
{
	struct ntkd_audit *a = arg;
	struct ntkd_audit_rec *rec = NULL;

	if (ntkd_audit_rec_suppressed(sum->uid, sum->user, sum->system, sum->count, sum->denied,
	    sum->interval, sum->cases, sum->ncases, &rec) != 0) {
		/* The count must survive even without a record: syslog has it. */
		ntkd_log_always(LOG_WARNING, "audit: %lu records of uid %lu over %u s held back "
		    "(summary record could not be formatted)", sum->count,
		    (unsigned long)sum->uid, sum->interval);
		return;
	}
	atomic_fetch_add(&a->summaries, 1);
	write_rec(a, rec);
	ntkd_audit_rec_free(rec);
}

/* Close budget windows at most once a second (writer thread); at stop, all of them. */
static void
close_windows(struct ntkd_audit *a, bool all)
{
	int64_t now = ntk_mono_ms() / 1000;

	if (!all && now == a->budget_checked)
		return;
	a->budget_checked = now;
	ntkd_budget_expire(a->budget, all ? INT64_MAX : now, emit_summary, a);
}

/* Send one break-glass ticket unless its request gave up (lock held; dropped around the send). */
static void
send_ticket(struct ntkd_audit *a, struct ticket *t)
{
	int rc = NTK_ERR_TIMEOUT;

	if (!t->abandoned) {
		pthread_mutex_unlock(&a->lock);
		rc = write_rec(a, t->rec);
		pthread_mutex_lock(&a->lock);
		if (t->abandoned && rc == 0)
			to_syslog("sent after its grant was refused (it granted nothing)", t->rec);
	}
	t->done = true;
	t->rc = rc;
	pthread_cond_broadcast(&a->sent);
	ticket_unref(t);
}

static void *
writer(void *arg)
{
	struct ntkd_audit *a = arg;
	struct ntkd_audit_rec *rec;
	struct ticket *t;
	struct timespec ts;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		/* Wake at least once a second to close budget windows. */
		ts = mono_abs(ntk_mono_ms() + 1000);
		while (a->count == 0 && a->urgent == NULL && !a->stopping &&
		    pthread_cond_timedwait(&a->cond, &a->lock, &ts) != ETIMEDOUT)
			;
		if ((t = a->urgent) != NULL) {
			/* Break-glass first: a request is waiting on it. */
			if ((a->urgent = t->next) == NULL)
				a->urgent_tail = NULL;
			send_ticket(a, t);
		} else if (a->count > 0) {
			rec = a->ring[a->head];
			a->head = (a->head + 1) % a->cap;
			a->count--;
			pthread_mutex_unlock(&a->lock);
			write_rec(a, rec);
			ntkd_audit_rec_free(rec);
			pthread_mutex_lock(&a->lock);
		} else if (a->stopping) {
			break;
		}
		pthread_mutex_unlock(&a->lock);
		close_windows(a, false);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	close_windows(a, true);
	return NULL;
}

int
ntkd_audit_start(unsigned queue_size, const char *auditd_pid_file, struct ntkd_audit **out)
{
	struct ntkd_audit *a;
	pthread_condattr_t ca;
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
	if (ntkd_budget_new(&a->budget) != 0) {
		free(a->pid_file);
		free(a->ring);
		free(a);
		return NTK_ERR_NOMEM;
	}
	a->auditd_state = a->pid_file != NULL ? NTKD_AUDITD_UNKNOWN : NTKD_AUDITD_NOT_WATCHED;
	pthread_mutex_init(&a->lock, NULL);
	/* Deadlines are monotonic: a clock step must not stretch a grant's wait. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cond, &ca);
	pthread_cond_init(&a->sent, &ca);
	pthread_condattr_destroy(&ca);
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
	/* No tickets are left: the writer takes every one before it stops. */
	if (a->fd >= 0)
		audit_close(a->fd);
	ntkd_budget_free(a->budget);
	pthread_cond_destroy(&a->sent);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
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

void
ntkd_audit_submit_for(struct ntkd_audit *a, const struct ntkd_audit_asker *who,
    struct ntkd_audit_rec *rec)
{
	if (rec == NULL)
		return;
	if (!who->trusted && !who->always && who->budget > 0 &&
	    !ntkd_budget_take(a->budget, who, rec->result == 0, ntk_mono_ms() / 1000)) {
		/* Counted in the uid's summary, with its case: held back, not lost. */
		atomic_fetch_add(&a->suppressed, 1);
		ntkd_audit_rec_free(rec);
		return;
	}
	ntkd_audit_submit(a, rec);
}

/*
 * " grant_id=<random, UUID-shaped>" on the record, and the string to find in
 * the log. The dashes matter: ausearch -i decodes an all-hex value as bytes.
 */
static int
add_grant_id(struct ntkd_audit_rec *rec, char *needle, size_t len)
{
	unsigned char b[16];
	char *msg;
	size_t n;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return NTK_ERR_IO;
	snprintf(needle, len, "grant_id=%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
	    b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	n = strlen(rec->msg) + 1 + strlen(needle) + 1;
	if ((msg = realloc(rec->msg, n)) == NULL)
		return NTK_ERR_NOMEM;
	rec->msg = msg;
	strcat(rec->msg, " ");
	strcat(rec->msg, needle);
	return 0;
}

/* Hand a ticket to the writer, ahead of the queue. */
static int
push_ticket(struct ntkd_audit *a, struct ntkd_audit_rec *rec, struct ticket **out)
{
	struct ticket *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NTK_ERR_NOMEM;
	t->rec = rec;
	t->refs = 2;                    /* the request and the writer */
	pthread_mutex_lock(&a->lock);
	if (a->urgent_tail != NULL)
		a->urgent_tail->next = t;
	else
		a->urgent = t;
	a->urgent_tail = t;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	*out = t;
	return 0;
}

/*
 * Wait for the ticket to be sent and its needle to be in the log, until
 * `deadline`. Returns NTKD_BG_NONE once it is there.
 */
static enum ntkd_bg_refusal
await_record(struct ntkd_audit *a, struct ticket *t, struct ntkd_auditlog *log,
    const char *needle, int64_t deadline)
{
	enum ntkd_bg_refusal why = NTKD_BG_UNCONFIRMED;
	struct timespec ts;
	bool sent = false;
	int64_t now, poll = CONFIRM_POLL_FIRST_MS;
	int seen;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		if (!sent && t->done) {
			if (t->rc != 0) {
				why = t->rc == NTK_ERR_UNAVAILABLE ? NTKD_BG_NO_AUDITD : NTKD_BG_WRITE_FAILED;
				break;
			}
			sent = true;
		}
		now = ntk_mono_ms();
		if (sent) {
			pthread_mutex_unlock(&a->lock);
			seen = ntkd_auditlog_seen(log, needle);
			pthread_mutex_lock(&a->lock);
			if (seen != 0) {
				why = seen > 0 ? NTKD_BG_NONE : NTKD_BG_LOG_UNREADABLE;
				break;
			}
		}
		if (now >= deadline) {
			/* Still queued or in the send: the writer is held (a full backlog?). */
			if (!sent)
				why = NTKD_BG_WRITER_HELD;
			break;
		}
		/* Woken early when the writer is done with the ticket. */
		ts = mono_abs(now + poll < deadline ? now + poll : deadline);
		pthread_cond_timedwait(&a->sent, &a->lock, &ts);
		if (sent && poll < CONFIRM_POLL_MAX_MS)
			poll *= 2;
	}
	t->abandoned = why != NTKD_BG_NONE;
	ticket_unref(t);
	pthread_mutex_unlock(&a->lock);
	return why;
}

static void
count_grant(struct ntkd_audit *a, enum ntkd_bg_refusal why, unsigned long ms)
{
	unsigned long max;

	if (why == NTKD_BG_NONE) {
		atomic_fetch_add(&a->bg_granted, 1);
		atomic_store(&a->bg_ms_last, ms);
		max = atomic_load(&a->bg_ms_max);
		while (ms > max && !atomic_compare_exchange_weak(&a->bg_ms_max, &max, ms))
			;
		return;
	}
	atomic_fetch_add(&a->bg_refused, 1);
	if (why == NTKD_BG_UNCONFIRMED)
		atomic_fetch_add(&a->bg_unconfirmed, 1);
	atomic_store(&a->bg_last_refusal, why);
}

int
ntkd_audit_write_confirmed(struct ntkd_audit *a, struct ntkd_audit_rec *rec,
    const char *log_file, unsigned timeout_ms, enum ntkd_bg_refusal *why)
{
	struct ntkd_auditlog log = { .fd = -1 };
	char path[sizeof(log.path)], needle[64];
	struct ticket *t = NULL;
	int64_t start = ntk_mono_ms();
	int rc;

	*why = NTKD_BG_WRITE_FAILED;
	if (log_file == NULL || log_file[0] == '\0') {
		if (ntkd_auditd_log_file(AUDITD_CONF, path, sizeof(path)) != 0) {
			*why = NTKD_BG_LOG_UNREADABLE;
			goto out;
		}
	} else if (snprintf(path, sizeof(path), "%s", log_file) >= (int)sizeof(path)) {
		*why = NTKD_BG_LOG_UNREADABLE;
		goto out;
	}
	/* Marked before the send: the record can only land after the mark. */
	if (ntkd_auditlog_mark(path, &log) != 0) {
		*why = NTKD_BG_LOG_UNREADABLE;
		ntkd_log(LOG_ERR, "break-glass refused: cannot read auditd's log %s to confirm "
		    "its record", path);
		goto out;
	}
	if (add_grant_id(rec, needle, sizeof(needle)) != 0 || push_ticket(a, rec, &t) != 0)
		goto out;
	rec = NULL;                     /* the ticket's now */
	if ((*why = await_record(a, t, &log, needle, start + timeout_ms)) == NTKD_BG_UNCONFIRMED ||
	    *why == NTKD_BG_WRITER_HELD)
		ntkd_log(LOG_WARNING, "break-glass refused: its record (%s) was not in %s within "
		    "%u ms (%s); if it lands later, it granted nothing", needle, path, timeout_ms,
		    ntkd_bg_refusal_name(*why));
 out:
	ntkd_auditlog_close(&log);
	ntkd_audit_rec_free(rec);
	count_grant(a, *why, (unsigned long)(ntk_mono_ms() - start));
	rc = *why == NTKD_BG_NONE ? 0 : NTK_ERR_IO;
	return rc;
}

const char *
ntkd_bg_refusal_name(enum ntkd_bg_refusal why)
{
	switch (why) {
	case NTKD_BG_NONE:
		return "none";
	case NTKD_BG_WRITE_FAILED:
		return "write-failed";
	case NTKD_BG_NO_AUDITD:
		return "no-auditd";
	case NTKD_BG_LOG_UNREADABLE:
		return "log-unreadable";
	case NTKD_BG_UNCONFIRMED:
		return "unconfirmed";
	case NTKD_BG_WRITER_HELD:
		return "writer-held";
	}
	return "unknown";
}

void
ntkd_audit_counters(struct ntkd_audit *a, struct ntkd_audit_counters *out)
{
	out->written = atomic_load(&a->written);
	out->failed = atomic_load(&a->failed);
	out->dropped = atomic_load(&a->dropped);
	out->unheard = atomic_load(&a->unheard);
	out->auditd = (enum ntkd_auditd_state)atomic_load(&a->auditd_state);
	out->suppressed = atomic_load(&a->suppressed);
	out->summaries = atomic_load(&a->summaries);
	out->bg_granted = atomic_load(&a->bg_granted);
	out->bg_refused = atomic_load(&a->bg_refused);
	out->bg_unconfirmed = atomic_load(&a->bg_unconfirmed);
	out->bg_last_refusal = (enum ntkd_bg_refusal)atomic_load(&a->bg_last_refusal);
	out->bg_confirm_ms_last = atomic_load(&a->bg_ms_last);
	out->bg_confirm_ms_max = atomic_load(&a->bg_ms_max);
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
