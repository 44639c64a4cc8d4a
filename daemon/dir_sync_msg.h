/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 4533 on the wire: the sync request control, and what the server's entries and syncInfo messages say. */
#ifndef NTKD_DIR_SYNC_MSG_H
#define NTKD_DIR_SYNC_MSG_H

#include <stdbool.h>

#include <ldap.h>

/*
 * libldap's ldap_sync_poll hands every message of a chain the chain's
 * first (it passes `res`, not `msg`), losing changes that arrive
 * together; ntkd reads one message at a time and parses them here.
 */

/* The critical Sync Request control (mode, the cookie when not NULL, no reload hint). */
int ntkd_sync_control(int mode, const struct berval *cookie, LDAPControl **out);

/*
 * An entry's Sync State control: its state (LDAP_SYNC_PRESENT, _ADD,
 * _MODIFY, _DELETE), entryUUID and the cookie it carries (NULL if none),
 * both new (ber_bvfree). NTK_ERR_BAD_VALUE when it has none or it does
 * not parse.
 */
int ntkd_sync_entry_state(LDAP *ld, LDAPMessage *e, int *state, struct berval **uuid,
    struct berval **cookie);

enum ntkd_sync_info_kind {
	NTKD_SYNC_NEW_COOKIE,
	NTKD_SYNC_REFRESH_DELETE,       /* the delete phase of a refresh ends */
	NTKD_SYNC_REFRESH_PRESENT,      /* the present phase ends: what was not named is gone */
	NTKD_SYNC_ID_SET,               /* entryUUIDs present, or deleted */
};

struct ntkd_sync_info {
	enum ntkd_sync_info_kind kind;
	bool refresh_done;              /* REFRESH_*: the refresh is over, persist begins */
	bool refresh_deletes;           /* ID_SET: the uuids are deleted (else present) */
	BerVarray uuids;                /* ID_SET */
	struct berval *cookie;          /* or NULL */
};

/* A syncInfo intermediate message; NTK_ERR_BAD_VALUE for any other or one that does not parse. */
int ntkd_sync_info_parse(LDAP *ld, LDAPMessage *msg, struct ntkd_sync_info *out);
void ntkd_sync_info_clear(struct ntkd_sync_info *info);

/* The search's final result: its LDAP code, and the Sync Done control's cookie (or NULL). */
int ntkd_sync_done_parse(LDAP *ld, LDAPMessage *msg, int *code, struct berval **cookie);

#endif /* NTKD_DIR_SYNC_MSG_H */
