/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS groups: ntk-sys-<system>, ntk-role-<role>, ntk-case-<id>, and their gids. */
#ifndef NTKD_GROUPS_H
#define NTKD_GROUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "ntk_config.h"

enum ntkd_group_kind {
	NTKD_GROUP_SYSTEM,
	NTKD_GROUP_ROLE,
	NTKD_GROUP_CASE,
};

/* A group name or gid resolved against the config, before any LDAP. */
struct ntkd_group_id {
	enum ntkd_group_kind kind;
	size_t index;                   /* system or role index */
	char case_id[16];               /* decimal, no leading zero */
	uint32_t gid;
	char name[NTK_NAME_MAX + 16];
};

/* NTK_ERR_NOT_FOUND when the name or gid is outside every configured range. */
int ntkd_group_by_name(const struct ntk_config *c, const char *name, struct ntkd_group_id *out);
int ntkd_group_by_gid(const struct ntk_config *c, uint32_t gid, struct ntkd_group_id *out);
/* The gid of case_id's group alone (no name built): INITGROUPS asks it for thousands of cases. */
int ntkd_case_gid(const struct ntk_config *c, const char *case_id, uint32_t *gid);
/* The case group of `case_id`, when it is numeric and within range. */
int ntkd_group_of_case(const struct ntk_config *c, const char *case_id, struct ntkd_group_id *out);

#endif /* NTKD_GROUPS_H */
