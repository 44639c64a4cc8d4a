/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Group names and gids: which config range a name or gid falls in. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "ntk_err.h"

#define SYS_PREFIX "ntk-sys-"
#define ROLE_PREFIX "ntk-role-"
#define CASE_PREFIX "ntk-case-"

int
ntkd_case_gid(const struct ntk_config *c, const char *id, uint32_t *gid)
{
	uint64_t v = 0;
	size_t i;

	/* Decimal only, one spelling per number: no sign, no leading zero. */
	if (id[0] == '\0' || (id[0] == '0' && id[1] != '\0'))
		return NTK_ERR_NOT_FOUND;
	for (i = 0; id[i] != '\0'; i++) {
		if (i == 10 || id[i] < '0' || id[i] > '9')
			return NTK_ERR_NOT_FOUND;
		v = v * 10 + (uint64_t)(id[i] - '0');
	}
	if (c->case_gid_min > c->case_gid_max || v > (uint64_t)c->case_gid_max - c->case_gid_min)
		return NTK_ERR_NOT_FOUND;
	*gid = c->case_gid_min + (uint32_t)v;
	return 0;
}

int
ntkd_group_of_case(const struct ntk_config *c, const char *id, struct ntkd_group_id *out)
{
	uint32_t gid;
	int r;

	if ((r = ntkd_case_gid(c, id, &gid)) != 0)
		return r;
	memset(out, 0, sizeof(*out));
	out->kind = NTKD_GROUP_CASE;
	memcpy(out->case_id, id, strlen(id) + 1);
	out->gid = gid;
	snprintf(out->name, sizeof(out->name), CASE_PREFIX "%s", id);
	return 0;
}

static void
set(struct ntkd_group_id *out, enum ntkd_group_kind kind, size_t index, uint32_t gid,
    const char *prefix, const char *name)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->index = index;
	out->gid = gid;
	snprintf(out->name, sizeof(out->name), "%s%s", prefix, name);
}

int
ntkd_group_by_name(const struct ntk_config *c, const char *name, struct ntkd_group_id *out)
{
	const struct ntk_policy *p = &c->policy;
	size_t i;

	if (strncmp(name, SYS_PREFIX, strlen(SYS_PREFIX)) == 0) {
		for (i = 0; i < p->nsystems; i++)
			if (strcmp(p->systems[i].name, name + strlen(SYS_PREFIX)) == 0) {
				set(out, NTKD_GROUP_SYSTEM, i, c->system_gid_min + (uint32_t)i,
				    SYS_PREFIX, p->systems[i].name);
				return 0;
			}
	} else if (strncmp(name, ROLE_PREFIX, strlen(ROLE_PREFIX)) == 0) {
		for (i = 0; i < p->nroles; i++)
			if (strcmp(p->roles[i].name, name + strlen(ROLE_PREFIX)) == 0) {
				set(out, NTKD_GROUP_ROLE, i, c->role_gid_min + (uint32_t)i,
				    ROLE_PREFIX, p->roles[i].name);
				return 0;
			}
	} else if (strncmp(name, CASE_PREFIX, strlen(CASE_PREFIX)) == 0) {
		return ntkd_group_of_case(c, name + strlen(CASE_PREFIX), out);
	}
	return NTK_ERR_NOT_FOUND;
}

int
ntkd_group_by_gid(const struct ntk_config *c, uint32_t gid, struct ntkd_group_id *out)
{
	const struct ntk_policy *p = &c->policy;
	char id[16];

	if (gid >= c->system_gid_min && gid - c->system_gid_min < p->nsystems) {
		set(out, NTKD_GROUP_SYSTEM, gid - c->system_gid_min, gid, SYS_PREFIX,
		    p->systems[gid - c->system_gid_min].name);
		return 0;
	}
	if (gid >= c->role_gid_min && gid - c->role_gid_min < p->nroles) {
		set(out, NTKD_GROUP_ROLE, gid - c->role_gid_min, gid, ROLE_PREFIX,
		    p->roles[gid - c->role_gid_min].name);
		return 0;
	}
	if (gid >= c->case_gid_min && gid <= c->case_gid_max) {
		snprintf(id, sizeof(id), "%lu", (unsigned long)(gid - c->case_gid_min));
		return ntkd_group_of_case(c, id, out);
	}
	return NTK_ERR_NOT_FOUND;
}
