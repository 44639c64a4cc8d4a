/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-uid audit record budgets, so no uid floods the audit log (used by the audit writer). */
#ifndef NTKD_AUDIT_BUDGET_H
#define NTKD_AUDIT_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit.h"

/* Distinct case ids a summary lists; the count is exact beyond them. */
#define NTKD_BUDGET_CASES 16

struct ntkd_budget;

/* One uid's closed window with records held back. */
struct ntkd_budget_summary {
	uid_t uid;
	const char *user, *system;
	unsigned long count, denied;
	unsigned interval;
	char *const *cases;
	size_t ncases;
};

int ntkd_budget_new(struct ntkd_budget **out);
void ntkd_budget_free(struct ntkd_budget *b);

/*
 * Count one record for who->uid at monotonic second `now`: true while the
 * uid's window (opened by its first record, who->interval long) has budget
 * left, false when the record is to be held back (and is counted).
 */
bool ntkd_budget_take(struct ntkd_budget *b, const struct ntkd_audit_asker *who, bool denied,
    int64_t now);

/* Close the windows ended by `now`, calling `emit` for each that held records back. */
void ntkd_budget_expire(struct ntkd_budget *b, int64_t now,
    void (*emit)(void *arg, const struct ntkd_budget_summary *s), void *arg);

#endif /* NTKD_AUDIT_BUDGET_H */
