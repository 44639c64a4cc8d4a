/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A mirror of what each entry under base said last, by entryUUID and by DN: the old state a followed change is compared with. */
#ifndef NTKD_DIR_MIRROR_H
#define NTKD_DIR_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldap.h>

#include "ntk_config.h"
#include "ntk_strv.h"

#define NTKD_MIRROR_UUID_MAX 64 /* entryUUID is 16 bytes from slapd; room for other spellings */

/* One entry as it was last seen (RFC 4533 names a deleted entry by its entryUUID alone). */
struct ntkd_mirror_rec {
	unsigned char uuid[NTKD_MIRROR_UUID_MAX];
	size_t uuid_len;
	char *ndn;                      /* normalised, lower case */
	char *uid;                      /* name_attribute, or NULL */
	char *manager;                  /* normalised manager DN, or NULL */
	struct ntk_strlist cases;       /* case_attribute values, trimmed */
	struct ntk_strlist roles;       /* what role_attribute names */
	struct ntk_strlist members;     /* normalised member/uniqueMember DNs */
	struct ntk_strlist group_roles; /* role_group_attribute values of a group */
	uint64_t rest;                  /* digest of every other attribute */
	bool marked;                    /* named in the current refresh phase */
	struct ntkd_mirror_rec *next_uuid, *next_dn;    /* bucket chains */
	struct ntkd_mirror_rec *prev, *next;            /* every record, for walks */
};

struct ntkd_mirror;

int ntkd_mirror_new(struct ntkd_mirror **out);
void ntkd_mirror_free(struct ntkd_mirror *m);
/* Forget every entry (a new config, or a refresh from scratch). */
void ntkd_mirror_clear(struct ntkd_mirror *m);
size_t ntkd_mirror_count(const struct ntkd_mirror *m);

/* What a sync entry message says now (a new record in *out). */
int ntkd_mirror_rec_from_entry(const struct ntk_config *cf, LDAP *ld, LDAPMessage *e,
    const struct berval *uuid, struct ntkd_mirror_rec **out);
void ntkd_mirror_rec_free(struct ntkd_mirror_rec *r);

/* Lookups; NULL when absent. */
struct ntkd_mirror_rec *ntkd_mirror_find_uuid(struct ntkd_mirror *m, const struct berval *uuid);
struct ntkd_mirror_rec *ntkd_mirror_find_dn(struct ntkd_mirror *m, const char *ndn);
/* The first of every record (then ->next), in no particular order. */
struct ntkd_mirror_rec *ntkd_mirror_first(struct ntkd_mirror *m);

/* Add a record (its uuid not yet present), or take one out (it stays allocated). */
void ntkd_mirror_link(struct ntkd_mirror *m, struct ntkd_mirror_rec *r);
void ntkd_mirror_unlink(struct ntkd_mirror *m, struct ntkd_mirror_rec *r);

/*
 * The present phase of a refresh: unmark everything first, then mark each
 * entry the server says is unchanged (stored ones are marked as stored).
 */
void ntkd_mirror_unmark(struct ntkd_mirror *m);
void ntkd_mirror_present(struct ntkd_mirror *m, const struct berval *uuid);

#endif /* NTKD_DIR_MIRROR_H */
