/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-uid audit record budgets: a window per untrusted uid, counted exactly, summarised once. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "audit_budget.h"
#include "ntk_err.h"
#include "ntkd.h"

#define BUCKETS 256

struct window {
	struct window *next;
	uid_t uid;
	int64_t ends;                   /* monotonic second the window closes */
	unsigned interval;
	unsigned long used, suppressed, denied;
	char *user, *system;            /* of the first suppressed record */
	char *cases[NTKD_BUDGET_CASES]; /* distinct, first come */
	size_t ncases;
};

struct ntkd_budget {
	pthread_mutex_t lock;
	struct window *bucket[BUCKETS];
};

int
ntkd_budget_new(struct ntkd_budget **out)
{
	struct ntkd_budget *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NTK_ERR_NOMEM;
	pthread_mutex_init(&b->lock, NULL);
	*out = b;
	return 0;
}

static void
window_free(struct window *w)
{
	size_t i;

	for (i = 0; i < w->ncases; i++)
		free(w->cases[i]);
	free(w->user);
	free(w->system);
	free(w);
}

void
ntkd_budget_free(struct ntkd_budget *b)
{
	struct window *w, *next;
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < BUCKETS; i++) {
		for (w = b->bucket[i]; w != NULL; w = next) {
			next = w->next;
			window_free(w);
		}
	}
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* Remember a suppressed record's names and case (lock held); memory failure loses only names. */
static void
note(struct window *w, const struct ntkd_audit_asker *who)
{
	size_t i;

	if (w->user == NULL && who->user != NULL)
		w->user = strdup(who->user);
	if (w->system == NULL && who->system != NULL)
		w->system = strdup(who->system);
	if (who->case_id == NULL || who->case_id[0] == '\0' || w->ncases == NTKD_BUDGET_CASES)
		return;
	for (i = 0; i < w->ncases; i++)
		if (strcmp(w->cases[i], who->case_id) == 0)
			return;
	if ((w->cases[w->ncases] = strdup(who->case_id)) != NULL)
		w->ncases++;
}

bool
ntkd_budget_take(struct ntkd_budget *b, const struct ntkd_audit_asker *who, bool denied,
    int64_t now)
{
	struct window *w, **head = &b->bucket[who->uid % BUCKETS];
	bool ok;

	pthread_mutex_lock(&b->lock);
	for (w = *head; w != NULL && w->uid != who->uid; w = w->next)
		;
	if (w == NULL) {
		/* No memory for a window: write the record, as before budgets. */
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			pthread_mutex_unlock(&b->lock);
			return true;
		}
		w->uid = who->uid;
		w->interval = who->interval;
		w->ends = now + who->interval;
		w->next = *head;
		*head = w;
	}
	ok = w->used < who->budget;
	if (ok) {
		w->used++;
	} else {
		w->suppressed++;
		if (denied)
			w->denied++;
		note(w, who);
	}
	pthread_mutex_unlock(&b->lock);
	return ok;
}

void
ntkd_budget_expire(struct ntkd_budget *b, int64_t now,
    void (*emit)(void *arg, const struct ntkd_budget_summary *s), void *arg)
{
	struct ntkd_budget_summary s;
	struct window *w, **pw, *done = NULL;
	size_t i;

	/* Unlink under the lock, emit outside it: a summary goes to the kernel. */
	pthread_mutex_lock(&b->lock);
	for (i = 0; i < BUCKETS; i++) {
		for (pw = &b->bucket[i]; (w = *pw) != NULL;) {
			if (w->ends > now) {
				pw = &w->next;
				continue;
			}
			*pw = w->next;
			w->next = done;
			done = w;
		}
	}
	pthread_mutex_unlock(&b->lock);
	while ((w = done) != NULL) {
		done = w->next;
		if (w->suppressed > 0) {
			memset(&s, 0, sizeof(s));
			s.uid = w->uid;
			s.user = w->user != NULL ? w->user : "?";
			s.system = w->system != NULL ? w->system : "?";
			s.count = w->suppressed;
			s.denied = w->denied;
			s.interval = w->interval;
			s.cases = w->cases;
			s.ncases = w->ncases;
			emit(arg, &s);
		}
		window_free(w);
	}
}

const struct ntkd_audit_asker *
ntkd_audit_asker(const struct ntkd_req *r, const char *user, const char *system,
    const char *case_id, int action, int outcome, struct ntkd_audit_asker *who)
{
	memset(who, 0, sizeof(*who));
	who->uid = r->peer->uid;
	who->trusted = ntkd_req_trusted(r);
	/* What security reviews record by record is never a count in a summary. */
	who->always = action == NTK_ACTION_RELEASE || outcome == NTK_ALLOW_BREAK_GLASS;
	who->budget = r->snap->config.audit_budget;
	who->interval = r->snap->config.audit_budget_interval;
	who->user = user;
	who->system = system;
	who->case_id = case_id;
	return who;
}
