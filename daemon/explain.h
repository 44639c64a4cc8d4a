/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The text behind `ntkctl check --explain`: the facts that decided a request. */
#ifndef NTKD_EXPLAIN_H
#define NTKD_EXPLAIN_H

#include <stddef.h>

#include "facts.h"
#include "ntk_policy.h"

struct ntkd_explain_in {
	const struct ntk_policy *policy;
	const struct ntk_system *system;        /* NULL: not declared */
	const struct ntk_query *query;
	const struct ntk_clock *clock;
	const struct ntk_subject *subject;      /* NULL: no facts (unavailable) */
	enum ntkd_facts_source source;
	long age;                               /* seconds since the facts were fetched */
	const char *user;
	const char *break_glass;                /* a note about break-glass, or NULL */
	const struct ntk_decision *decision;
	const char *verdict;
};

/* A newly allocated multi-line text (no trailing newline), or NULL without memory. */
char *ntkd_explain(const struct ntkd_explain_in *in);

#endif /* NTKD_EXPLAIN_H */
