/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 4533 messages: encoding the Sync Request control, decoding Sync State, syncInfo and Sync Done with ber_scanf. */
#include "config.h"

#include <string.h>

#include "dir_sync_msg.h"
#include "ntk_err.h"

int
ntkd_sync_control(int mode, const struct berval *cookie, LDAPControl **out)
{
	BerElement *ber;
	struct berval value = { 0, NULL };
	int r = NTK_ERR_NOMEM;

	*out = NULL;
	if ((ber = ber_alloc_t(LBER_USE_DER)) == NULL)
		return NTK_ERR_NOMEM;
	/* syncRequestValue ::= SEQUENCE { mode ENUMERATED, cookie OCTET STRING OPTIONAL, reloadHint BOOLEAN } */
	if ((cookie != NULL && cookie->bv_len > 0 ?
	    ber_printf(ber, "{eOb}", (ber_int_t)mode, cookie, (ber_int_t)0) :
	    ber_printf(ber, "{eb}", (ber_int_t)mode, (ber_int_t)0)) < 0 ||
	    ber_flatten2(ber, &value, 0) < 0)
		goto out;
	if (ldap_control_create(LDAP_CONTROL_SYNC, 1, &value, 1, out) == LDAP_SUCCESS)
		r = 0;
out:
	ber_free(ber, 1);
	return r;
}

/* A copy of an optional cookie, or NULL. */
static struct berval *
cookie_dup(const struct berval *c)
{
	return c->bv_val != NULL && c->bv_len > 0 ? ber_dupbv(NULL, (struct berval *)c) : NULL;
}

int
ntkd_sync_entry_state(LDAP *ld, LDAPMessage *e, int *state, struct berval **uuid,
    struct berval **cookie)
{
	LDAPControl **ctrls = NULL, *c;
	BerElement *ber = NULL;
	struct berval u = { 0, NULL }, ck = { 0, NULL };
	ber_int_t st;
	ber_len_t len;
	int r = NTK_ERR_BAD_VALUE;

	*uuid = *cookie = NULL;
	if (ldap_get_entry_controls(ld, e, &ctrls) != LDAP_SUCCESS || ctrls == NULL ||
	    (c = ldap_control_find(LDAP_CONTROL_SYNC_STATE, ctrls, NULL)) == NULL ||
	    (ber = ber_init(&c->ldctl_value)) == NULL)
		goto out;
	/* syncStateValue ::= SEQUENCE { state ENUMERATED, entryUUID, cookie OPTIONAL } */
	if (ber_scanf(ber, "{em", &st, &u) == LBER_ERROR || u.bv_len == 0 ||
	    st < LDAP_SYNC_PRESENT || st > LDAP_SYNC_DELETE)
		goto out;
	if (ber_peek_tag(ber, &len) == LDAP_TAG_SYNC_COOKIE && ber_scanf(ber, "m", &ck) == LBER_ERROR)
		goto out;
	r = NTK_ERR_NOMEM;
	if ((*uuid = ber_dupbv(NULL, &u)) == NULL)
		goto out;
	*cookie = cookie_dup(&ck);
	*state = (int)st;
	r = 0;
out:
	if (ber != NULL)
		ber_free(ber, 1);
	ldap_controls_free(ctrls);
	return r;
}

void
ntkd_sync_info_clear(struct ntkd_sync_info *info)
{
	ber_bvarray_free(info->uuids);
	ber_bvfree(info->cookie);
	memset(info, 0, sizeof(*info));
}

/* The optional cookie that opens refreshDelete, refreshPresent and syncIdSet. */
static int
scan_cookie(BerElement *ber, struct ntkd_sync_info *out)
{
	struct berval ck = { 0, NULL };
	ber_len_t len;

	if (ber_peek_tag(ber, &len) != LDAP_TAG_SYNC_COOKIE)
		return 0;
	if (ber_scanf(ber, "m", &ck) == LBER_ERROR)
		return NTK_ERR_BAD_VALUE;
	out->cookie = cookie_dup(&ck);
	return 0;
}

int
ntkd_sync_info_parse(LDAP *ld, LDAPMessage *msg, struct ntkd_sync_info *out)
{
	char *oid = NULL;
	struct berval *data = NULL, ck = { 0, NULL };
	BerElement *ber = NULL;
	ber_tag_t tag;
	ber_len_t len;
	ber_int_t flag;
	int r = NTK_ERR_BAD_VALUE;

	memset(out, 0, sizeof(*out));
	if (ldap_parse_intermediate(ld, msg, &oid, &data, NULL, 0) != LDAP_SUCCESS ||
	    oid == NULL || strcmp(oid, LDAP_SYNC_INFO) != 0 || data == NULL ||
	    (ber = ber_init(data)) == NULL)
		goto out;
	tag = ber_peek_tag(ber, &len);
	switch (tag) {
	case LDAP_TAG_SYNC_NEW_COOKIE:
		out->kind = NTKD_SYNC_NEW_COOKIE;
		if (ber_scanf(ber, "m", &ck) == LBER_ERROR)
			goto out;
		out->cookie = cookie_dup(&ck);
		break;
	case LDAP_TAG_SYNC_REFRESH_DELETE:
	case LDAP_TAG_SYNC_REFRESH_PRESENT:
		out->kind = tag == LDAP_TAG_SYNC_REFRESH_DELETE ? NTKD_SYNC_REFRESH_DELETE :
		    NTKD_SYNC_REFRESH_PRESENT;
		if (ber_scanf(ber, "{") == LBER_ERROR || scan_cookie(ber, out) != 0)
			goto out;
		/* refreshDone BOOLEAN DEFAULT TRUE */
		out->refresh_done = true;
		if (ber_peek_tag(ber, &len) == LDAP_TAG_REFRESHDONE) {
			if (ber_scanf(ber, "b", &flag) == LBER_ERROR)
				goto out;
			out->refresh_done = flag != 0;
		}
		break;
	case LDAP_TAG_SYNC_ID_SET:
		out->kind = NTKD_SYNC_ID_SET;
		if (ber_scanf(ber, "{") == LBER_ERROR || scan_cookie(ber, out) != 0)
			goto out;
		/* refreshDeletes BOOLEAN DEFAULT FALSE */
		if (ber_peek_tag(ber, &len) == LDAP_TAG_REFRESHDELETES) {
			if (ber_scanf(ber, "b", &flag) == LBER_ERROR)
				goto out;
			out->refresh_deletes = flag != 0;
		}
		if (ber_scanf(ber, "[W]}", &out->uuids) == LBER_ERROR)
			goto out;
		break;
	default:
		goto out;
	}
	r = 0;
out:
	if (ber != NULL)
		ber_free(ber, 1);
	ldap_memfree(oid);
	ber_bvfree(data);
	if (r != 0)
		ntkd_sync_info_clear(out);
	return r;
}

int
ntkd_sync_done_parse(LDAP *ld, LDAPMessage *msg, int *code, struct berval **cookie)
{
	LDAPControl **ctrls = NULL, *c;
	BerElement *ber = NULL;
	struct berval ck = { 0, NULL };
	ber_len_t len;
	int err = LDAP_OTHER;

	*cookie = NULL;
	if (ldap_parse_result(ld, msg, &err, NULL, NULL, NULL, &ctrls, 0) != LDAP_SUCCESS) {
		*code = LDAP_OTHER;
		return 0;
	}
	*code = err;
	/* syncDoneValue ::= SEQUENCE { cookie OPTIONAL, refreshDeletes DEFAULT FALSE } */
	if (ctrls != NULL && (c = ldap_control_find(LDAP_CONTROL_SYNC_DONE, ctrls, NULL)) != NULL &&
	    (ber = ber_init(&c->ldctl_value)) != NULL &&
	    ber_scanf(ber, "{") != LBER_ERROR && ber_peek_tag(ber, &len) == LDAP_TAG_SYNC_COOKIE &&
	    ber_scanf(ber, "m", &ck) != LBER_ERROR)
		*cookie = cookie_dup(&ck);
	if (ber != NULL)
		ber_free(ber, 1);
	ldap_controls_free(ctrls);
	return 0;
}
