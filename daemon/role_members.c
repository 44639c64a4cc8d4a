/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reverse query behind a role group: the user names of everyone holding a role. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "ntk_err.h"
#include "ntk_escape.h"
#include "ntk_strset.h"
#include "ldap_filter.h"
#include "dir_session.h"
#include "log.h"

struct members_ctx {
	struct ntk_strset *seen;
	struct ntk_strlist *out;       /* uids, or member DNs */
	bool dns;               /* collecting member DNs of groups */
	bool cut;
};

static int
members_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx, void *arg)
{
	static const char *const member_attrs[] = { "member", "uniqueMember" };
	struct members_ctx *ctx = arg;
	struct ntk_strlist vals = { 0 };
	char *uid;
	size_t i, k;
	int r = 0;

	if (ctx->out->n >= NTKD_DIR_LEVEL_CAP) {
		ctx->cut = true;
		return 1;
	}
	if (!ctx->dns) {
		if ((uid = ntkd_dir_entry_uid(d->config, ld, e, dn, &r)) == NULL)
			return r;
		if ((r = ntk_strset_add(ctx->seen, uid)) == 1)
			return ntk_strlist_push(ctx->out, uid);
		free(uid);
		return r < 0 ? r : 0;
	}
	for (k = 0; k < 2 && r == 0; k++) {
		if ((r = ntkd_dir_entry_strings(ld, e, dn, member_attrs[k], &vals, NTKD_DIR_VALUE_MAX)) != 0)
			break;
		for (i = 0; i < vals.n && ctx->out->n < NTKD_DIR_LEVEL_CAP; i++) {
			/* A member outside the configured tree is nobody's staff. */
			if (!ntkd_dir_dn_under_base(vals.v[i], d->config->base))
				continue;
			if ((r = ntk_strset_add(ctx->seen, vals.v[i])) < 0)
				break;
			if (r == 1 && (r = ntk_strlist_push_copy(ctx->out, vals.v[i])) != 0)
				break;
			r = 0;
		}
		ntk_strlist_clear(&vals);
	}
	ntk_strlist_clear(&vals);
	return r;
}

/* Collects the DNs of entries whose first RDN's value is the role (role_value = rdn). */
struct rdn_groups_ctx {
	const char *role;
	struct ntk_strlist *dns;
};

static int
rdn_group_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx,
    void *arg)
{
	struct rdn_groups_ctx *ctx = arg;
	LDAPDN parsed = NULL;
	char *value;
	int r = 0;

	(void)d; (void)ld; (void)e; (void)idx;
	if (ctx->dns->n >= NTKD_DIR_LEVEL_CAP)
		return 1;
	if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS || parsed == NULL ||
	    parsed[0] == NULL || parsed[0][0] == NULL)
		goto out;
	if ((value = strndup(parsed[0][0]->la_value.bv_val, parsed[0][0]->la_value.bv_len)) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	/* The forward direction names a role by this RDN: the same test here. */
	if (ntk_role_name_eq(value, ctx->role))
		r = ntk_strlist_push_copy(ctx->dns, dn);
	free(value);
out:
	ldap_dnfree(parsed);
	return r;
}

/* n searches of the same shape, one per value: (&STAFF (ATTR=VALUE)), reading name_attribute. */
static int
staff_with_values(struct ntkd_directory *d, const char *attr, char *const *values, size_t n,
    struct members_ctx *ctx)
{
	const struct ntk_config *cf = d->config;
	struct ntkd_ldap_search *s = NULL;
	char *attrs[] = { cf->name_attribute, NULL };
	char **filters = NULL, *eq = NULL;
	size_t i;
	int r = 0;

	if (n == 0)
		return 0;
	if ((s = calloc(n, sizeof(*s))) == NULL || (filters = calloc(n, sizeof(*filters))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((r = ntkd_ldap_filter_eq(attr, values[i], &eq)) != 0 ||
		    (r = ntkd_dir_staff_and(cf, eq, &filters[i])) != 0)
			goto out;
		free(eq);
		eq = NULL;
		s[i].base = cf->base;
		s[i].scope = LDAP_SCOPE_SUBTREE;
		s[i].filter = filters[i];
		s[i].attrs = attrs;
		s[i].sizelimit = NTKD_DIR_LEVEL_CAP;
	}
	r = ntkd_dir_search(d, s, n, members_entry, ctx);
out:
	free(eq);
	ntkd_dir_filters_free(filters, n);
	free(s);
	return r;
}

/* A subtree search for the entries whose role_group_attribute names the role; *filter is the caller's to free. */
static int
groups_named(const struct ntk_config *cf, const char *role, char **attrs, struct ntkd_ldap_search *s,
    char **filter)
{
	char *eq = NULL;
	size_t len;
	int r;

	if ((r = ntkd_ldap_filter_eq(cf->role_group_attribute, role, &eq)) != 0)
		return r;
	len = strlen(eq) + sizeof("(&(objectClass=*))");
	if ((*filter = malloc(len)) == NULL) {
		free(eq);
		return NTK_ERR_NOMEM;
	}
	snprintf(*filter, len, "(&(objectClass=*)%s)", eq);
	free(eq);
	s->base = cf->base;
	s->scope = LDAP_SCOPE_SUBTREE;
	s->filter = *filter;
	s->attrs = attrs;
	s->sizelimit = NTKD_DIR_LEVEL_CAP;
	return 0;
}

/*
 * role_source = attribute: the staff whose role_attribute holds the role,
 * or with role_value = rdn a DN of a group named by the role (found by
 * role_group_attribute, e.g. cn, and checked on the DN's first RDN).
 */
static int
members_by_attribute(struct ntkd_directory *d, const char *role, struct members_ctx *ctx)
{
	const struct ntk_config *cf = d->config;
	struct ntkd_ldap_search s = { 0 };
	struct ntk_strlist dns = { 0 };
	struct rdn_groups_ctx gctx = { role, &dns };
	char *attrs[] = { LDAP_NO_ATTRS, NULL };
	char *filter = NULL;
	int r;

	if (cf->role_value == NTK_ROLE_VALUE_VALUE)
		return staff_with_values(d, cf->role_attribute, (char *const *)&role, 1, ctx);
	if ((r = groups_named(cf, role, attrs, &s, &filter)) != 0)
		goto out;
	if ((r = ntkd_dir_search(d, &s, 1, rdn_group_entry, &gctx)) != 0)
		goto out;
	r = staff_with_values(d, cf->role_attribute, dns.v, dns.n, ctx);
out:
	free(filter);
	ntk_strlist_clear(&dns);
	return r;
}

/* One level of members_resolve: searches [0, n) read user names, [n, 2n) read group members. */
struct resolve_ctx {
	size_t n;
	struct members_ctx *uids;
	struct members_ctx *groups;
};

static int
resolve_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx,
    void *arg)
{
	struct resolve_ctx *rc = arg;

	return members_entry(d, ld, e, dn, idx, idx < rc->n ? rc->uids : rc->groups);
}

/*
 * Member DNs to user names: a base search per DN under staff_filter; with
 * group_nesting, members that are groups give their own members, level by
 * level (each DN once: cycles end). Both questions about a level's DNs go
 * in the same batch, so a level is one round trip.
 */
static int
members_resolve(struct ntkd_directory *d, struct ntk_strlist *frontier, struct ntk_strset *seen_dn,
    struct members_ctx *uids)
{
	const struct ntk_config *cf = d->config;
	struct ntkd_ldap_search *s = NULL;
	struct ntk_strlist next = { 0 };
	struct members_ctx groups = { seen_dn, &next, true, false };
	struct resolve_ctx rc = { 0, uids, &groups };
	char *uid_attrs[] = { cf->name_attribute, NULL };
	char *member_attrs[] = { "member", "uniqueMember", NULL };
	char group_filter[] = "(|(member=*)(uniqueMember=*))";
	unsigned level;
	size_t i, n;
	bool deeper;
	int r = 0;

	for (level = 0; frontier->n > 0; level++) {
		n = frontier->n;
		deeper = level < cf->group_nesting;
		if ((s = calloc(deeper ? 2 * n : n, sizeof(*s))) == NULL) {
			r = NTK_ERR_NOMEM;
			break;
		}
		for (i = 0; i < (deeper ? 2 * n : n); i++) {
			s[i].base = frontier->v[i % n];
			s[i].scope = LDAP_SCOPE_BASE;
			s[i].filter = i < n ? cf->staff_filter : group_filter;
			s[i].attrs = i < n ? uid_attrs : member_attrs;
			s[i].sizelimit = 1;
		}
		rc.n = n;
		if ((r = ntkd_dir_search(d, s, deeper ? 2 * n : n, resolve_entry, &rc)) != 0 || !deeper)
			break;
		free(s);
		s = NULL;
		ntk_strlist_clear(frontier);
		*frontier = next;
		memset(&next, 0, sizeof(next));
		uids->cut |= groups.cut;
	}
	free(s);
	ntk_strlist_clear(&next);
	return r;
}

/* role_source = group: the members of the groups whose role_group_attribute is the role. */
static int
members_by_group(struct ntkd_directory *d, const char *role, struct members_ctx *ctx)
{
	const struct ntk_config *cf = d->config;
	struct ntkd_ldap_search s = { 0 };
	struct ntk_strset seen = { 0 };
	struct ntk_strlist dns = { 0 };
	struct members_ctx gctx = { &seen, &dns, true, false };
	char *attrs[] = { "member", "uniqueMember", NULL };
	char *filter = NULL;
	int r;

	if ((r = groups_named(cf, role, attrs, &s, &filter)) != 0)
		goto out;
	if ((r = ntkd_dir_search(d, &s, 1, members_entry, &gctx)) != 0)
		goto out;
	ctx->cut |= gctx.cut;
	r = members_resolve(d, &dns, &seen, ctx);
out:
	free(filter);
	ntk_strlist_clear(&dns);
	ntk_strset_clear(&seen);
	return r;
}

int
ntkd_directory_role_members(struct ntkd_directory *d, const char *role, char ***uids, size_t *nuids)
{
	struct ntk_strset seen_uid = { 0 };
	struct ntk_strlist out = { 0 };
	struct members_ctx ctx = { &seen_uid, &out, false, false };
	char safe[NTK_NAME_MAX + 4];
	int r;

	if (uids == NULL || nuids == NULL)
		return NTK_ERR_INTERNAL;
	*uids = NULL;
	*nuids = 0;
	if (d == NULL || role == NULL)
		return NTK_ERR_INTERNAL;
	if (*role == '\0' || strlen(role) > NTK_NAME_MAX)
		return 0;
	if (d->config->role_source == NTK_ROLE_SOURCE_ATTRIBUTE)
		r = members_by_attribute(d, role, &ctx);
	else
		r = members_by_group(d, role, &ctx);
	if (r != 0)
		goto out;
	if (ctx.cut) {
		ntk_escape_log_str(role, safe, sizeof(safe));
		ntkd_log(LOG_WARNING, "ldap: members of role \"%s\" cut at %d", safe, NTKD_DIR_LEVEL_CAP);
	}
	*uids = out.v;
	*nuids = out.n;
	memset(&out, 0, sizeof(out));
out:
	ntk_strlist_clear(&out);
	ntk_strset_clear(&seen_uid);
	return r;
}
