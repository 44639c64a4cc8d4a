/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A user's directory facts, through the cache: ttl, negative_ttl and offline_grace. */
#ifndef NTKD_FACTS_H
#define NTKD_FACTS_H

#include <stdatomic.h>

#include "cache.h"
#include "ntk_buf.h"
#include "ntk_policy.h"
#include "ntk_proto.h"
#include "ntkd.h"

/*
 * The user's INITGROUPS answer, computed once for one day and config
 * (groups.c): the gids (for the NSS map) and the reply body encoded from them.
 */
struct ntkd_facts_gids {
	int32_t today;
	unsigned long generation;
	struct ntk_gid_list list;
	struct ntk_buf body;
};

/* Free an INITGROUPS answer (NULL is fine). */
void ntkd_facts_gids_free(struct ntkd_facts_gids *g);

struct ntkd_facts {
	struct ntkd_cached base;        /* first: the cache's header */
	struct ntk_subject subject;     /* grants empty: the grant store holds them */
	unsigned long generation;       /* config it was fetched under */
	/* NULL until the first INITGROUPS; set once (compare-and-swap), freed with the facts. */
	_Atomic(struct ntkd_facts_gids *) gids;
};

enum ntkd_facts_source {
	NTKD_FACTS_CACHE = 0,           /* fresh cache entry */
	NTKD_FACTS_LDAP = 1,            /* fetched for this request */
	NTKD_FACTS_OFFLINE = 2,         /* stale entry used because LDAP is down */
};

/*
 * The facts about `user` (a new reference in *out). A fresh cache entry
 * is used as is; otherwise the directory is asked. When it is unreachable
 * an entry up to ttl + offline_grace old is used (negative: negative_ttl +
 * offline_grace); without one the result is NTK_ERR_UNAVAILABLE.
 */
int ntkd_facts_get(struct ntkd_req *r, const char *user, struct ntkd_facts **out,
    enum ntkd_facts_source *source);

void ntkd_facts_unref(struct ntkd_facts *f);

const char *ntkd_facts_source_name(enum ntkd_facts_source s);

#endif /* NTKD_FACTS_H */
