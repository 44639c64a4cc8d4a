/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The go-live survey's directory queries: does base exist, and which role names does the directory hold. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "ntk_err.h"
#include "ntk_strset.h"
#include "dir_session.h"

int
ntkd_directory_probe_base(struct ntkd_directory *d)
{
	struct ntkd_ldap_search s = { 0 };
	char *attrs[] = { LDAP_NO_ATTRS, NULL };
	char filter[] = "(objectClass=*)";
	int r;

	s.base = d->config->base;
	s.scope = LDAP_SCOPE_BASE;
	s.filter = filter;
	s.attrs = attrs;
	s.sizelimit = 1;
	if ((r = ntkd_ldap_conn_search(d->conn, &s, 1)) == 0 && s.missing)
		r = NTK_ERR_NOT_FOUND;
	ntkd_ldap_search_clear(&s, 1);
	return r;
}

struct values_ctx {
	struct ntk_strset *seen;
	struct ntk_strlist *out;
	bool group;             /* the values are role_group_attribute on groups */
};

static int
values_entry(struct ntkd_directory *d, LDAP *ld, LDAPMessage *e, const char *dn, size_t idx,
    void *arg)
{
	struct values_ctx *ctx = arg;
	struct ntk_strlist names = { 0 };
	size_t i;
	int r;

	(void)idx;
	if (ctx->group)
		r = ntkd_dir_entry_strings(ld, e, dn, d->config->role_group_attribute, &names,
		    NTK_NAME_MAX);
	else
		r = ntkd_dir_entry_roles(d->config, ld, e, dn, &names);
	for (i = 0; r == 0 && i < names.n; i++)
		if ((r = ntk_strset_add(ctx->seen, names.v[i])) == 1)
			r = ntk_strlist_push_copy(ctx->out, names.v[i]);
	ntk_strlist_clear(&names);
	return r < 0 ? r : 0;
}

int
ntkd_directory_role_values(struct ntkd_directory *d, char ***values, size_t *nvalues)
{
	const struct ntk_config *cf = d->config;
	struct ntkd_ldap_search s = { 0 };
	struct ntk_strset seen = { 0 };
	struct ntk_strlist out = { 0 };
	struct values_ctx ctx = { &seen, &out, cf->role_source == NTK_ROLE_SOURCE_GROUP };
	char *attrs[] = { NULL, NULL };
	char *filter = NULL;
	size_t len;
	int r;

	*values = NULL;
	*nvalues = 0;
	/* Staff holding role_attribute, or groups (entries with members) naming a role. */
	attrs[0] = ctx.group ? cf->role_group_attribute : cf->role_attribute;
	len = strlen(cf->staff_filter) + strlen(attrs[0]) + 64;
	if ((filter = malloc(len)) == NULL)
		return NTK_ERR_NOMEM;
	if (ctx.group)
		snprintf(filter, len, "(&(|(member=*)(uniqueMember=*))(%s=*))", attrs[0]);
	else
		snprintf(filter, len, "(&%s(%s=*))", cf->staff_filter, attrs[0]);
	s.base = cf->base;
	s.scope = LDAP_SCOPE_SUBTREE;
	s.filter = filter;
	s.attrs = attrs;
	s.sizelimit = NTKD_DIR_LEVEL_CAP;
	if ((r = ntkd_dir_search(d, &s, 1, values_entry, &ctx)) == 0) {
		*values = out.v;
		*nvalues = out.n;
		memset(&out, 0, sizeof(out));
	}
	free(filter);
	ntk_strlist_clear(&out);
	ntk_strset_clear(&seen);
	return r;
}
