/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GROUP_BY_NAME, GROUP_BY_GID, INITGROUPS, GROUP_LIST: members from the directory, cached. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "directory.h"
#include "facts.h"
#include "groups.h"
#include "handlers.h"
#include "inflight.h"
#include "log.h"
#include "nss_map.h"
#include "ntk_case_index.h"
#include "ntk_err.h"
#include "ntk_proto.h"
#include "ntk_strset.h"

/*
 * A cached group: its members, sorted, and its answer already encoded
 * (wire, or the encoder's error in wire_rc), so a warm lookup copies
 * bytes instead of re-encoding thousands of names. Both live and die
 * with the cache entry.
 */
struct group_entry {
	struct ntkd_cached base;
	struct ntk_group g;
	struct ntk_buf wire;
	int wire_rc;
};

/*
 * Groups being computed right now: concurrent misses for one group (a
 * login's NSS lookups from several processes) compute it once.
 */
static struct ntkd_inflight groups_inflight = NTKD_INFLIGHT_INIT;

/* A growing, de-duplicated list of user names; the set makes each add O(1). */
struct names {
	char **v;
	size_t n, cap;
	struct ntk_strset seen;
};

static void
names_clear(struct names *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	ntk_strset_clear(&s->seen);
	memset(s, 0, sizeof(*s));
}

static int
names_add(struct names *s, const char *name)
{
	char **nv;
	int r;

	if ((r = ntk_strset_add(&s->seen, name)) <= 0)
		return r;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;

		if ((nv = realloc(s->v, cap * sizeof(*nv))) == NULL)
			return NTK_ERR_NOMEM;
		s->v = nv;
		s->cap = cap;
	}
	if ((s->v[s->n] = strdup(name)) == NULL)
		return NTK_ERR_NOMEM;
	s->n++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
group_destroy(struct ntkd_cached *v)
{
	struct group_entry *e = (struct group_entry *)v;

	ntk_group_clear(&e->g);
	ntk_buf_free(&e->wire);
	free(e);
}

static int
role_members(struct ntkd_req *r, const char *role, struct names *out)
{
	struct ntkd_directory *dir;
	char **uids = NULL;
	size_t n = 0, i;
	int rc;

	if ((rc = ntkd_worker_directory(r, &dir)) != 0)
		return rc;
	rc = ntkd_directory_role_members(dir, role, &uids, &n);
	ntkd_worker_directory_done(r, rc);
	if (rc == NTK_ERR_NOT_FOUND)
		rc = 0;
	for (i = 0; rc == 0 && i < n; i++)
		rc = names_add(out, uids[i]);
	ntk_strv_free(uids, n);
	return rc;
}

/* Is the role listed by at least one [system:] section (else it grants nothing)? */
static bool
role_opens_a_system(const struct ntk_policy *p, const struct ntk_role *role)
{
	size_t i, k, idx = (size_t)(role - p->roles);

	for (i = 0; i < p->nsystems; i++)
		for (k = 0; k < p->systems[i].nroles; k++)
			if (p->systems[i].role_idx[k] == idx)
				return true;
	return false;
}

static bool
has_supervised_role(const struct ntk_policy *p, char *const *roles, size_t nroles)
{
	const struct ntk_role *role;
	size_t i;

	for (i = 0; i < nroles; i++)
		if ((role = ntk_policy_find_role(p, roles[i])) != NULL &&
		    role->scope == NTK_SCOPE_SUPERVISED && role_opens_a_system(p, role))
			return true;
	return false;
}

/*
 * A holder is a case group member only with a role some system lists, as
 * a decision needs one: a role withdrawn (or one that opens no system)
 * must not leave file-share access behind.
 */
static bool
has_usable_role(const struct ntk_policy *p, char *const *roles, size_t nroles)
{
	const struct ntk_role *role;
	size_t i;

	for (i = 0; i < nroles; i++)
		if ((role = ntk_policy_find_role(p, roles[i])) != NULL && role_opens_a_system(p, role))
			return true;
	return false;
}

/* Does this supervisor's own view of the chain hold an active assignment to the case? */
static int
supervises_active(struct ntkd_req *r, const char *uid, const char *case_id, bool *yes)
{
	const struct ntk_supervised *sv;
	struct ntkd_facts *f = NULL;
	enum ntkd_facts_source src;
	const uint32_t *at;
	size_t i, n;
	int rc;

	*yes = false;
	if ((rc = ntkd_facts_get(r, uid, &f, &src)) != 0)
		return rc;
	sv = f->subject.supervised;
	/* The index names this case's entries; without one, every entry is looked at. */
	if ((n = ntk_case_index_supervised(&f->subject, case_id, &at)) == NTK_CASE_INDEX_NONE) {
		at = NULL;
		n = f->subject.nsupervised;
	}
	for (i = 0; i < n && !*yes; i++) {
		const struct ntk_supervised *v = &sv[at != NULL ? at[i] : i];

		if (strcmp(v->assignment.case_id, case_id) == 0 && v->assignment.until >= r->today)
			*yes = true;
	}
	ntkd_facts_unref(f);
	return 0;
}

static int
case_members(struct ntkd_req *r, const char *case_id, struct names *out)
{
	const struct ntk_policy *p = &r->snap->config.policy;
	struct ntkd_person *holders = NULL, *sups = NULL;
	size_t nh = 0, ns = 0, i, k;
	struct ntkd_directory *dir;
	bool any_inactive = false, active, yes;
	int rc;

	if ((rc = ntkd_worker_directory(r, &dir)) != 0)
		return rc;
	rc = ntkd_directory_case_people(dir, case_id, p->supervision_depth, &holders, &nh,
	    &sups, &ns);
	ntkd_worker_directory_done(r, rc);
	if (rc == NTK_ERR_NOT_FOUND)
		rc = 0;
	/* Holders: an active assignment on any system; releases count. */
	for (i = 0; rc == 0 && i < nh; i++) {
		active = false;
		for (k = 0; k < holders[i].nassignments; k++)
			if (strcmp(holders[i].assignments[k].case_id, case_id) == 0 &&
			    holders[i].assignments[k].until >= r->today)
				active = true;
		if (active && has_usable_role(p, holders[i].roles, holders[i].nroles))
			rc = names_add(out, holders[i].uid);
		else
			any_inactive = true;
	}
	/*
	 * Supervisors with a supervised-scope role. When every holder is
	 * active, each supervisor returned sits above an active one; otherwise
	 * ask the supervisor's own facts which holders they reach.
	 */
	for (i = 0; rc == 0 && i < ns; i++) {
		if (sups[i].depth > p->supervision_depth ||
		    !has_supervised_role(p, sups[i].roles, sups[i].nroles))
			continue;
		yes = true;
		if (any_inactive && (rc = supervises_active(r, sups[i].uid, case_id, &yes)) != 0)
			break;
		if (yes)
			rc = names_add(out, sups[i].uid);
	}
	ntkd_person_free_array(holders, nh);
	ntkd_person_free_array(sups, ns);
	return rc;
}

/* Compute a group's members from the directory. */
static int
compute(struct ntkd_req *r, const struct ntkd_group_id *id, struct names *out)
{
	const struct ntk_policy *p = &r->snap->config.policy;
	const struct ntk_system *sys;
	size_t i;
	int rc = 0;

	switch (id->kind) {
	case NTKD_GROUP_SYSTEM:
		sys = &p->systems[id->index];
		for (i = 0; rc == 0 && i < sys->nroles; i++)
			rc = role_members(r, p->roles[sys->role_idx[i]].name, out);
		return rc;
	case NTKD_GROUP_ROLE:
		return role_members(r, p->roles[id->index].name, out);
	case NTKD_GROUP_CASE:
		return case_members(r, id->case_id, out);
	}
	return NTK_ERR_INTERNAL;
}

/* A cached entry still fresh for this request (a new reference), else NULL. */
static struct group_entry *
fresh(struct ntkd_req *r, const struct ntkd_group_id *id)
{
	struct group_entry *e = (struct group_entry *)ntkd_cache_get(r->d->groups, id->name);

	if (e != NULL && r->now >= e->base.fetched &&
	    r->now - e->base.fetched < r->snap->config.cache_ttl)
		return e;
	ntkd_cached_unref(e != NULL ? &e->base : NULL);
	return NULL;
}

/* Compute the group, encode its answer once, and cache it (a new reference in *out). */
static int
build(struct ntkd_req *r, const struct ntkd_group_id *id, struct group_entry **out)
{
	const struct ntk_config *c = &r->snap->config;
	struct group_entry *e = NULL;
	struct names m = { 0 };
	uint64_t epoch;
	int rc;

	*out = NULL;
	epoch = ntkd_cache_epoch();     /* a change dropped while computing keeps this uncached */
	if ((rc = compute(r, id, &m)) != 0)
		goto done;
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->g.name = strdup(id->name)) == NULL) {
		rc = NTK_ERR_NOMEM;
		goto done;
	}
	ntkd_cached_init(&e->base, r->now, group_destroy);
	ntkd_cached_since(&e->base, epoch);
	if (m.n > 1)
		qsort(m.v, m.n, sizeof(*m.v), cmp_str);
	e->g.gid = id->gid;
	e->g.members = m.v;
	e->g.nmembers = m.n;
	m.v = NULL;
	m.n = 0;
	/* The reply body as send_group would write it; an error is kept and answered the same way. */
	ntk_buf_init(&e->wire, NTK_REPLY_MAX);
	if ((e->wire_rc = ntk_proto_encode_group(&e->wire, &e->g)) != 0)
		ntk_buf_free(&e->wire);
	/* An untrusted peer's lookups may only push out its own earlier ones. */
	if (ntkd_cache_put_for(r->d->groups, id->name, &e->base,
	    ntkd_req_trusted(r) ? NTKD_CACHE_SHARED : r->peer->uid,
	    r->now - (int64_t)c->cache_ttl - (int64_t)c->cache_offline_grace) != 0)
		ntkd_log(LOG_WARNING, "group cache: out of memory, answer not cached");
	*out = e;
	e = NULL;
 done:
	if (e != NULL) {
		free(e->g.name);
		free(e);
	}
	names_clear(&m);
	return rc;
}

/*
 * The group through the cache (a new reference), with the offline
 * fallback of facts; concurrent misses share one computation.
 */
static int
lookup(struct ntkd_req *r, const struct ntkd_group_id *id, struct group_entry **out)
{
	const struct ntk_config *c = &r->snap->config;
	struct group_entry *old = NULL, *e = NULL;
	struct ntkd_flight *lead;
	struct ntkd_cached *shared;
	int64_t wait_ms;
	int rc;

	*out = NULL;
	if ((*out = fresh(r, id)) != NULL)
		return 0;
	old = (struct group_entry *)ntkd_cache_get(r->d->groups, id->name);
	/* A case group asks for holders, then each supervisor's facts: several LDAP calls. */
	wait_ms = (int64_t)c->timeout * 1000 * (int64_t)(c->nuris > 0 ? c->nuris : 1) *
	    (3 + (int64_t)c->policy.supervision_depth);
	rc = ntkd_inflight_join(&groups_inflight, id->name, r->snap->generation, wait_ms, &lead,
	    &shared);
	if (lead != NULL) {
		/* A computation that ended between our miss and the join has cached its answer. */
		if ((e = fresh(r, id)) == NULL)
			rc = build(r, id, &e);
		ntkd_inflight_done(&groups_inflight, lead, rc, e != NULL ? &e->base : NULL);
	} else {
		e = (struct group_entry *)shared;
	}
	if (rc == 0 && e == NULL)
		rc = NTK_ERR_INTERNAL;  /* cannot happen: a computation that succeeded has a group */
	if (rc == NTK_ERR_UNAVAILABLE && old != NULL &&
	    r->now - old->base.fetched < (int64_t)c->cache_ttl + c->cache_offline_grace) {
		*out = old;
		old = NULL;
		rc = 0;
	} else if (rc == 0) {
		*out = e;
		e = NULL;
	}
	ntkd_cached_unref(e != NULL ? &e->base : NULL);
	ntkd_cached_unref(old != NULL ? &old->base : NULL);
	return rc;
}

/* Called for each gid of a user's groups; non-zero stops the walk and is returned. */
typedef int (*gid_fn)(uint32_t gid, void *arg);

static int
case_gid(struct ntkd_req *r, const struct ntk_assignment *a, gid_fn fn, void *arg)
{
	uint32_t gid;

	if (a->until < r->today || ntkd_case_gid(&r->snap->config, a->case_id, &gid) != 0)
		return 0;
	return fn(gid, arg);
}

/*
 * The groups a subject belongs to, from its facts alone: systems it may
 * log in to, its roles, its own and (with a supervised-scope role) its
 * supervised active cases. Gids may repeat.
 */
static int
subject_gids(struct ntkd_req *r, const struct ntk_subject *s, gid_fn fn, void *arg)
{
	const struct ntk_config *c = &r->snap->config;
	const struct ntk_policy *p = &c->policy;
	struct ntk_clock clock = { r->today, r->now };
	const struct ntk_role *role;
	struct ntk_decision dec;
	struct ntk_query q;
	size_t i;
	int rc = 0;

	/* A disabled account is in no group, whatever its entry still lists. */
	if (!s->found || s->disabled)
		return 0;
	memset(&q, 0, sizeof(q));
	q.action = NTK_ACTION_LOGIN;
	for (i = 0; rc == 0 && i < p->nsystems; i++) {
		q.system = p->systems[i].name;
		ntk_policy_decide(p, s, &q, &clock, &dec);
		if (dec.outcome == NTK_ALLOW_SYSTEM_ACCESS)
			rc = fn(c->system_gid_min + (uint32_t)i, arg);
	}
	for (i = 0; rc == 0 && i < s->nroles; i++)
		if ((role = ntk_policy_find_role(p, s->roles[i])) != NULL)
			rc = fn(c->role_gid_min + (uint32_t)(role - p->roles), arg);
	for (i = 0; rc == 0 && has_usable_role(p, s->roles, s->nroles) && i < s->nassignments; i++)
		rc = case_gid(r, &s->assignments[i], fn, arg);
	if (has_supervised_role(p, s->roles, s->nroles))
		for (i = 0; rc == 0 && i < s->nsupervised; i++)
			if (s->supervised[i].depth <= p->supervision_depth)
				rc = case_gid(r, &s->supervised[i].assignment, fn, arg);
	return rc;
}

struct gid_acc {
	struct ntk_gid_list l;
	size_t cap;
};

static int
gid_append(uint32_t gid, void *arg)
{
	struct gid_acc *a = arg;
	uint32_t *nv;

	if (a->l.ngids == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		if ((nv = realloc(a->l.gids, a->cap * sizeof(*nv))) == NULL)
			return NTK_ERR_NOMEM;
		a->l.gids = nv;
	}
	a->l.gids[a->l.ngids++] = gid;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Ascending and each gid once: sorting keeps a supervisor's thousands of case gids linear-ish. */
static void
gid_list_unique(struct ntk_gid_list *l)
{
	size_t i, n = 0;

	if (l->ngids < 2)
		return;
	qsort(l->gids, l->ngids, sizeof(*l->gids), cmp_u32);
	for (i = 0; i < l->ngids; i++)
		if (n == 0 || l->gids[n - 1] != l->gids[i])
			l->gids[n++] = l->gids[i];
	l->ngids = n;
}

static int
cmp_gid_key(const void *key, const void *elem)
{
	return cmp_u32(key, elem);
}

/*
 * Visibility `member`, decided before any LDAP work for the group: an
 * untrusted peer is shown only groups it belongs to, and which those are
 * follows from its own facts (cached). *all is set when the peer may see
 * every group; otherwise *mine holds its gids, sorted, to bsearch: built
 * once per request however many groups the request looks at.
 */
static int
peer_gids(struct ntkd_req *r, bool *all, struct ntk_gid_list *mine)
{
	struct gid_acc acc = { { NULL, 0 }, 0 };
	struct ntkd_facts *f = NULL;
	enum ntkd_facts_source src;
	int rc;

	mine->gids = NULL;
	mine->ngids = 0;
	*all = r->snap->config.visibility == NTK_VISIBILITY_ALL || ntkd_req_trusted(r);
	if (*all || !r->peer->has_name)
		return 0;
	if ((rc = ntkd_facts_get(r, r->peer->name, &f, &src)) != 0)
		return rc;
	if ((rc = subject_gids(r, &f->subject, gid_append, &acc)) != 0) {
		free(acc.l.gids);
		acc.l.gids = NULL;
		acc.l.ngids = 0;
	}
	ntkd_facts_unref(f);
	gid_list_unique(&acc.l);
	*mine = acc.l;
	return rc;
}

/* 0 when the peer may see `gid`, NTK_ERR_NOT_FOUND when not: any other gid costs no search. */
static int
gid_visible(bool all, const struct ntk_gid_list *mine, uint32_t gid)
{
	if (all || (mine->ngids > 0 &&
	    bsearch(&gid, mine->gids, mine->ngids, sizeof(*mine->gids), cmp_gid_key) != NULL))
		return 0;
	return NTK_ERR_NOT_FOUND;
}

static int
may_see(struct ntkd_req *r, uint32_t gid)
{
	struct ntk_gid_list mine;
	bool all;
	int rc;

	if ((rc = peer_gids(r, &all, &mine)) == 0)
		rc = gid_visible(all, &mine, gid);
	free(mine.gids);
	return rc;
}

/*
 * The user's INITGROUPS answer body: the one kept with the facts when it
 * is for today and this config, else computed (and kept when none was).
 * *mine: a computed answer nobody else holds, for the caller to free.
 */
static int
initgroups_body(struct ntkd_req *r, struct ntkd_facts *f, const struct ntkd_facts_gids **out,
    struct ntkd_facts_gids **mine)
{
	struct ntkd_facts_gids *g = atomic_load(&f->gids), *expected = NULL;
	struct gid_acc acc = { { NULL, 0 }, 0 };
	int rc;

	*mine = NULL;
	if (g != NULL && g->today == r->today && g->generation == r->snap->generation) {
		*out = g;
		return 0;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NTK_ERR_NOMEM;
	g->today = r->today;
	g->generation = r->snap->generation;
	ntk_buf_init(&g->body, NTK_REPLY_MAX);
	if ((rc = subject_gids(r, &f->subject, gid_append, &acc)) != 0)
		goto fail;
	gid_list_unique(&acc.l);
	g->list = acc.l;
	acc.l.gids = NULL;
	if ((rc = ntk_proto_encode_gid_list(&g->body, &g->list)) != 0)
		goto fail;
	/* Kept with the facts only in an empty slot: a reader may still hold any earlier one. */
	if (!atomic_compare_exchange_strong(&f->gids, &expected, g))
		*mine = g;
	*out = g;
	return 0;
 fail:
	free(acc.l.gids);
	ntkd_facts_gids_free(g);
	return rc;
}

int
ntkd_handle_initgroups(struct ntkd_req *r)
{
	const struct ntk_config *c = &r->snap->config;
	const struct ntkd_facts_gids *g;
	struct ntkd_facts_gids *mine = NULL;
	struct ntkd_facts *f = NULL;
	enum ntkd_facts_source src;
	char *user = NULL;
	int rc;

	if ((rc = ntk_proto_decode_str(r->body, &user)) != 0) {
		r->close = true;
		return rc;
	}
	if (c->visibility != NTK_VISIBILITY_ALL && !ntkd_req_trusted(r) &&
	    (!r->peer->has_name || strcmp(r->peer->name, user) != 0)) {
		rc = NTK_ERR_NOT_FOUND;
		goto out;
	}
	if ((rc = ntkd_facts_get(r, user, &f, &src)) != 0 ||
	    (rc = initgroups_body(r, f, &g, &mine)) != 0)
		goto out;
	ntkd_nss_map_initgroups(r, user, &g->list, f->base.fetched);
	if ((rc = ntkd_reply_begin(r)) == 0 &&
	    (rc = ntk_buf_put_bytes(r->out, ntk_buf_ptr(&g->body), ntk_buf_remaining(&g->body))) == 0)
		rc = ntk_proto_end(r->out);
 out:
	ntkd_facts_gids_free(mine);
	ntkd_facts_unref(f);
	free(user);
	return rc;
}

static int
cmp_name_key(const void *key, const void *elem)
{
	return strcmp(key, *(char *const *)elem);
}

/* After the group is computed, the same rule again by its member list (sorted: bsearch). */
static bool
visible(struct ntkd_req *r, const struct ntk_group *g)
{
	if (r->snap->config.visibility == NTK_VISIBILITY_ALL || ntkd_req_trusted(r))
		return true;
	if (!r->peer->has_name || g->nmembers == 0)
		return false;
	return bsearch(r->peer->name, g->members, g->nmembers, sizeof(*g->members),
	    cmp_name_key) != NULL;
}

static int
send_group(struct ntkd_req *r, const struct ntkd_group_id *id)
{
	struct group_entry *e;
	int rc;

	if ((rc = may_see(r, id->gid)) != 0 || (rc = lookup(r, id, &e)) != 0)
		return rc;
	if (!visible(r, &e->g))
		rc = NTK_ERR_NOT_FOUND;
	else
		ntkd_nss_map_group(r, &e->g, e->base.fetched);
	if (rc == 0 && (rc = e->wire_rc) == 0 && (rc = ntkd_reply_begin(r)) == 0 &&
	    (rc = ntk_buf_put_bytes(r->out, ntk_buf_ptr(&e->wire), ntk_buf_remaining(&e->wire))) == 0)
		rc = ntk_proto_end(r->out);
	ntkd_cached_unref(&e->base);
	return rc;
}

int
ntkd_handle_group_by_name(struct ntkd_req *r)
{
	struct ntkd_group_id id;
	char *name = NULL;
	int rc;

	if ((rc = ntk_proto_decode_str(r->body, &name)) != 0) {
		r->close = true;
		return rc;
	}
	if ((rc = ntkd_group_by_name(&r->snap->config, name, &id)) == 0)
		rc = send_group(r, &id);
	free(name);
	return rc;
}

int
ntkd_handle_group_by_gid(struct ntkd_req *r)
{
	struct ntkd_group_id id;
	uint32_t gid;
	int rc;

	if ((rc = ntk_proto_decode_u32(r->body, &gid)) != 0) {
		r->close = true;
		return rc;
	}
	if ((rc = ntkd_group_by_gid(&r->snap->config, gid, &id)) != 0)
		return rc;
	return send_group(r, &id);
}

int
ntkd_handle_group_list(struct ntkd_req *r)
{
	const struct ntk_config *c = &r->snap->config;
	struct ntkd_group_id id;
	struct group_entry **held = NULL;
	struct ntk_group_list list = { NULL, 0 };
	struct ntk_gid_list mine = { NULL, 0 };
	size_t n = c->policy.nsystems + c->policy.nroles, nheld = 0, i;
	bool all;
	int rc = 0;

	if (ntk_buf_remaining(r->body) != 0) {
		r->close = true;
		return NTK_ERR_TRAILING;
	}
	if (!c->enumerate)
		return NTK_ERR_NOT_FOUND;
	if ((rc = peer_gids(r, &all, &mine)) != 0)
		goto out;
	if (n > 0 && ((held = calloc(n, sizeof(*held))) == NULL ||
	    (list.groups = calloc(n, sizeof(*list.groups))) == NULL)) {
		rc = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (i < c->policy.nsystems)
			rc = ntkd_group_by_gid(c, c->system_gid_min + (uint32_t)i, &id);
		else
			rc = ntkd_group_by_gid(c, c->role_gid_min + (uint32_t)(i - c->policy.nsystems), &id);
		if (rc == 0 && (rc = gid_visible(all, &mine, id.gid)) == NTK_ERR_NOT_FOUND) {
			rc = 0;
			continue;
		}
		if (rc != 0 || (rc = lookup(r, &id, &held[nheld])) != 0)
			goto out;
		if (visible(r, &held[nheld]->g))
			list.groups[list.ngroups++] = held[nheld]->g;   /* borrowed */
		nheld++;
	}
	if ((rc = ntkd_reply_begin(r)) == 0 && (rc = ntk_proto_encode_group_list(r->out, &list)) == 0)
		rc = ntk_proto_end(r->out);
 out:
	for (i = 0; i < nheld; i++)
		ntkd_cached_unref(&held[i]->base);
	free(held);
	free(list.groups);
	free(mine.gids);
	return rc;
}
