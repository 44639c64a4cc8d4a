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

int
ntkd_directory_role_members(struct ntkd_directory *d, const char *role, char ***uids, size_t *nuids)
{
	const struct ntk_config *cf;
	struct ntkd_ldap_search *s = NULL;
	struct ntk_strset seen = { 0 }, seen_uid = { 0 };
	struct ntk_strlist out = { 0 }, dns = { 0 };
	struct members_ctx ctx = { 0 };
	char *attrs[3] = { NULL, NULL, NULL };
	char *filter = NULL, *eq = NULL;
	size_t i, len;
	int r;

	if (uids == NULL || nuids == NULL)
		return NTK_ERR_INTERNAL;
	*uids = NULL;
	*nuids = 0;
	if (d == NULL || role == NULL)
		return NTK_ERR_INTERNAL;
	cf = d->config;
	if (*role == '\0' || strlen(role) > NTK_NAME_MAX)
		return 0;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		r = NTK_ERR_NOMEM;
		goto out;
	}
	s->base = cf->base;
	s->scope = LDAP_SCOPE_SUBTREE;
	s->attrs = attrs;
	s->sizelimit = NTKD_DIR_LEVEL_CAP;
	if (cf->role_source == NTK_ROLE_SOURCE_ATTRIBUTE) {
		if ((r = ntkd_ldap_filter_eq(cf->role_attribute, role, &eq)) != 0 ||
		    (r = ntkd_dir_staff_and(cf, eq, &filter)) != 0)
			goto out;
		attrs[0] = cf->name_attribute;
		s->filter = filter;
		ctx.seen = &seen_uid;
		ctx.out = &out;
		if ((r = ntkd_dir_search(d, s, 1, members_entry, &ctx)) != 0)
			goto out;
	} else {
		if ((r = ntkd_ldap_filter_eq(cf->role_group_attribute, role, &eq)) != 0)
			goto out;
		len = strlen(eq) + sizeof("(&(objectClass=*))");
		if ((filter = malloc(len)) == NULL) {
			r = NTK_ERR_NOMEM;
			goto out;
		}
		snprintf(filter, len, "(&(objectClass=*)%s)", eq);
		attrs[0] = "member";
		attrs[1] = "uniqueMember";
		s->filter = filter;
		ctx.seen = &seen;
		ctx.out = &dns;
		ctx.dns = true;
		if ((r = ntkd_dir_search(d, s, 1, members_entry, &ctx)) != 0)
			goto out;
		free(s);
		s = NULL;
		if (dns.n > 0) {
			/* Each member DN to its uid: base searches, NTKD_DIR_BATCH per round trip. */
			if ((s = calloc(dns.n, sizeof(*s))) == NULL) {
				r = NTK_ERR_NOMEM;
				goto out;
			}
			attrs[0] = cf->name_attribute;
			attrs[1] = NULL;
			for (i = 0; i < dns.n; i++) {
				s[i].base = dns.v[i];
				s[i].scope = LDAP_SCOPE_BASE;
				s[i].filter = cf->staff_filter;
				s[i].attrs = attrs;
				s[i].sizelimit = 1;
			}
			ctx.seen = &seen_uid;
			ctx.out = &out;
			ctx.dns = false;
			if ((r = ntkd_dir_search(d, s, dns.n, members_entry, &ctx)) != 0)
				goto out;
		}
	}
	if (ctx.cut) {
		char safe[NTK_NAME_MAX + 4];

		ntk_escape_log(role, strlen(role), safe, sizeof(safe));
		ntkd_log(LOG_WARNING, "ldap: members of role \"%s\" cut at %d", safe, NTKD_DIR_LEVEL_CAP);
	}
	*uids = out.v;
	*nuids = out.n;
	memset(&out, 0, sizeof(out));
	r = 0;
out:
	free(s);
	free(filter);
	free(eq);
	ntk_strlist_clear(&out);
	ntk_strlist_clear(&dns);
	ntk_strset_clear(&seen);
	ntk_strset_clear(&seen_uid);
	return r;
}
