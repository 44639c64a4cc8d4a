/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS group database entry points of libnss_ntk.so.2: by name, by gid, initgroups, enumeration. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ntk_err.h"
#include "ntk_proto.h"
#include "nss_ntk.h"

/* Exported; the version script keeps everything else local. */
enum nss_status _nss_ntk_getgrnam_r(const char *name, struct group *gr, char *buf,
    size_t buflen, int *errnop);
enum nss_status _nss_ntk_getgrgid_r(gid_t gid, struct group *gr, char *buf,
    size_t buflen, int *errnop);
enum nss_status _nss_ntk_initgroups_dyn(const char *user, gid_t group, long *start,
    long *size, gid_t **groupsp, long limit, int *errnop);
enum nss_status _nss_ntk_setgrent(void);
enum nss_status _nss_ntk_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop);
enum nss_status _nss_ntk_endgrent(void);

/*
 * What an error from ntkd means to NSS. Not found or not visible to this
 * process: NOTFOUND. Anything that keeps ntkd from answering (no socket,
 * a timeout, a garbled reply, the directory down and nothing cached):
 * UNAVAIL, so the next source in nsswitch.conf goes on and `files` still
 * answers; errno ENOENT when ntkd is not there at all, EAGAIN otherwise.
 * Out of memory: TRYAGAIN with ENOMEM.
 */
static enum nss_status
status_of(int r, int *errnop)
{
	switch (r) {
	case 0:
		return NSS_STATUS_SUCCESS;
	case NTK_ERR_NOT_FOUND:
	case NTK_ERR_DENIED:
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	case NTK_ERR_NOMEM:
		*errnop = ENOMEM;
		return NSS_STATUS_TRYAGAIN;
	case NTK_ERR_IO:
	case NTK_ERR_CLOSED:
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	default:
		*errnop = EAGAIN;
		return NSS_STATUS_UNAVAIL;
	}
}

/* Copy a found group out; a buffer too small is ERANGE + TRYAGAIN and the caller retries larger. */
static enum nss_status
answer(const struct ntk_group *g, struct group *gr, char *buf, size_t buflen, int *errnop)
{
	int r;

	if ((r = ntk_nss_pack_group(g, gr, buf, buflen)) == NTK_ERR_TOO_LONG) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	if (r != 0) {
		*errnop = EINVAL;
		return NSS_STATUS_UNAVAIL;
	}
	return NSS_STATUS_SUCCESS;
}

/* A map answer: a hit, or ERANGE; NOTFOUND means "ask ntkd". */
static enum nss_status
map_answer(int r, int *errnop)
{
	if (r == 0)
		return NSS_STATUS_SUCCESS;
	if (r == NTK_ERR_TOO_LONG) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	return NSS_STATUS_NOTFOUND;
}

enum nss_status
_nss_ntk_getgrnam_r(const char *name, struct group *gr, char *buf, size_t buflen, int *errnop)
{
	struct ntk_group g = { 0 };
	enum nss_status st;
	int r;

	/* Names that cannot be ours never reach ntkd: no round trip for every `files` miss. */
	if (!ntk_nss_name_ours(name)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	if ((st = map_answer(ntk_nss_map_group_by_name(name, gr, buf, buflen), errnop)) !=
	    NSS_STATUS_NOTFOUND)
		return st;
	r = ntk_nss_fetch_by_name(name, &g);
	/* An answer about another group than the one asked is not an answer. */
	if (r == 0 && strcmp(g.name, name) != 0)
		r = NTK_ERR_BAD_VALUE;
	if ((st = status_of(r, errnop)) == NSS_STATUS_SUCCESS)
		st = answer(&g, gr, buf, buflen, errnop);
	ntk_group_clear(&g);
	return st;
}

enum nss_status
_nss_ntk_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t buflen, int *errnop)
{
	struct ntk_group g = { 0 };
	enum nss_status st;
	int r;

	if (!ntk_nss_gid_ours((uint32_t)gid, NTK_NSS_GID_MIN, NTK_NSS_GID_MAX)) {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	if ((st = map_answer(ntk_nss_map_group_by_gid((uint32_t)gid, gr, buf, buflen), errnop)) !=
	    NSS_STATUS_NOTFOUND)
		return st;
	r = ntk_nss_fetch_by_gid((uint32_t)gid, &g);
	if (r == 0 && (g.gid != (uint32_t)gid || !ntk_nss_name_ours(g.name)))
		r = NTK_ERR_BAD_VALUE;
	if ((st = status_of(r, errnop)) == NSS_STATUS_SUCCESS)
		st = answer(&g, gr, buf, buflen, errnop);
	ntk_group_clear(&g);
	return st;
}

/*
 * Add the user's system, role and case groups. As nss_files does, NOTFOUND
 * when nothing was added (the user is unknown or has no ntk group), so
 * glibc's default actions treat both modules alike. At the caller's limit
 * the list is cut short and SUCCESS returned, as glibc expects.
 */
enum nss_status
_nss_ntk_initgroups_dyn(const char *user, gid_t group, long *start, long *size,
    gid_t **groupsp, long limit, int *errnop)
{
	struct ntk_gid_list l = { 0 };
	enum nss_status st;
	long added;
	int r;

	if (user == NULL || user[0] == '\0') {
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	}
	/* A map hit with nothing new to add is NOTFOUND, as below. */
	added = ntk_nss_map_initgroups(user, group, start, size, groupsp, limit);
	if (added > 0)
		return NSS_STATUS_SUCCESS;
	if (added == 0 || added == NTK_ERR_NOMEM) {
		*errnop = added == 0 ? ENOENT : ENOMEM;
		return added == 0 ? NSS_STATUS_NOTFOUND : NSS_STATUS_TRYAGAIN;
	}
	r = ntk_nss_fetch_initgroups(user, &l);
	if ((st = status_of(r, errnop)) != NSS_STATUS_SUCCESS)
		goto out;
	added = ntk_nss_add_gids(&l, group, start, size, groupsp, limit);
	if (added < 0) {
		*errnop = ENOMEM;
		st = NSS_STATUS_TRYAGAIN;
	} else if (added == 0) {
		*errnop = ENOENT;
		st = NSS_STATUS_NOTFOUND;
	}
 out:
	ntk_gid_list_clear(&l);
	return st;
}

/*
 * Enumeration: ntkd sends every group at setgrent, or refuses when
 * enumeration is off (the default, as in SSSD) and getgrent finds nothing.
 * glibc serialises the *grent calls of one process; the lock guards
 * against callers that reach the module directly.
 */
static pthread_mutex_t ent_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ntk_group_list ent_list;
static size_t ent_next;
static int ent_err = NTK_ERR_NOT_FOUND;    /* until setgrent: nothing to enumerate */
static bool ent_loaded;

static void
ent_load(void)
{
	ntk_group_list_clear(&ent_list);
	memset(&ent_list, 0, sizeof(ent_list));
	ent_next = 0;
	ent_err = ntk_nss_fetch_group_list(&ent_list);
	ent_loaded = true;
}

enum nss_status
_nss_ntk_setgrent(void)
{
	int e = 0;

	pthread_mutex_lock(&ent_lock);
	ent_load();
	pthread_mutex_unlock(&ent_lock);
	/* Enumeration turned off is not an error of setgrent. */
	if (ent_err == NTK_ERR_DENIED || ent_err == NTK_ERR_NOT_FOUND)
		return NSS_STATUS_SUCCESS;
	return status_of(ent_err, &e);
}

enum nss_status
_nss_ntk_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop)
{
	enum nss_status st;
	const struct ntk_group *g;

	pthread_mutex_lock(&ent_lock);
	if (!ent_loaded)
		ent_load();
	if (ent_err != 0) {
		st = status_of(ent_err, errnop);
		goto out;
	}
	for (;;) {
		if (ent_next >= ent_list.ngroups) {
			*errnop = ENOENT;
			st = NSS_STATUS_NOTFOUND;
			goto out;
		}
		g = &ent_list.groups[ent_next];
		/* Only well-formed ntk groups are handed out. */
		if (g->name != NULL && ntk_nss_name_ours(g->name))
			break;
		ent_next++;
	}
	/* On ERANGE the same entry is offered again with the larger buffer. */
	if ((st = answer(g, gr, buf, buflen, errnop)) == NSS_STATUS_SUCCESS)
		ent_next++;
 out:
	pthread_mutex_unlock(&ent_lock);
	return st;
}

enum nss_status
_nss_ntk_endgrent(void)
{
	pthread_mutex_lock(&ent_lock);
	ntk_group_list_clear(&ent_list);
	memset(&ent_list, 0, sizeof(ent_list));
	ent_next = 0;
	ent_err = NTK_ERR_NOT_FOUND;
	ent_loaded = false;
	pthread_mutex_unlock(&ent_lock);
	return NSS_STATUS_SUCCESS;
}
