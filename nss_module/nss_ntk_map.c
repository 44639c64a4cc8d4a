/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map in this process: mapped once, checked, replaced when ntkd retires it; answers with no system call. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ntk_err.h"
#include "ntk_peer.h"
#include "nss_ntk.h"
#include "nss_ntk_map.h"

/* After a failed or retired open, the socket answers for this long before the next try. */
#define RETRY_MS 100

/*
 * The current map, read under the read lock by any number of threads;
 * replaced under the write lock. Readers hold it only while copying one
 * record out, so the writer (a reopen) never waits long.
 */
static pthread_rwlock_t map_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t map_once = PTHREAD_ONCE_INIT;
static void *map_base;
static size_t map_size;
static uid_t map_euid;                  /* whose view it is */
static bool map_fixed;                  /* this process can never change its euid */
static atomic_llong next_try_ms;

static int64_t
coarse_ms(clockid_t id)
{
	struct timespec ts;

	/* The coarse clocks are read from the vDSO: no system call. */
	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
atfork_prepare(void)
{
	pthread_rwlock_wrlock(&map_lock);
}

static void
atfork_parent(void)
{
	pthread_rwlock_unlock(&map_lock);
}

/*
 * The child starts afresh: unlocking would hand the lock to a writer that
 * was waiting in another thread of the parent, which the child does not
 * have, and every later lookup in the child would wait for it forever.
 * The child has one thread and holds the lock: nobody can be using it.
 */
static void
atfork_child(void)
{
	static const pthread_rwlock_t fresh = PTHREAD_RWLOCK_INITIALIZER;

	memcpy(&map_lock, &fresh, sizeof(map_lock));
}

static void
map_init(void)
{
	/* A reader in another thread at fork() would leave the child's lock read-held forever. */
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* dlclose(): give the address space back (the atfork handlers go with the object). */
__attribute__((destructor)) static void
map_fini(void)
{
	if (map_base != NULL)
		munmap(map_base, map_size);
	map_base = NULL;
}

/*
 * Can this process ever change its effective uid? Only with differing
 * real/saved uids or CAP_SETUID. When it cannot, the view it mapped stays
 * its own and hits skip geteuid(); otherwise every lookup compares.
 */
static bool
identity_fixed(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uid_t ru, eu, su;

	if (getresuid(&ru, &eu, &su) != 0 || ru != eu || eu != su || eu == 0)
		return false;
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[CAP_SETUID / 32].permitted & (1u << (CAP_SETUID % 32))) == 0;
}

/*
 * Open `path` if it is a map we may believe for `euid`: owner, mode, size,
 * header. O(1) whatever the size: each record is checked (bounds, checksum)
 * when a look-up is about to use it.
 */
static int
map_open(const char *path, uid_t euid, uint32_t want_view, void **base, size_t *size)
{
	struct stat st;
	void *p;
	int fd, r = NTK_ERR_BAD_VALUE;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)) < 0)
		return NTK_ERR_NOT_FOUND;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    st.st_size < (off_t)sizeof(struct ntk_map_hdr) || st.st_size > (off_t)NTK_MAP_MAX_SIZE)
		goto out;
	/* Written by root or ntkd's account; a view may also be owned by the uid it is for. */
	if (!(st.st_uid == 0 || (want_view != NTK_MAP_FULL && st.st_uid == euid) ||
	    (st.st_uid != euid && ntk_peer_uid_trusted(st.st_uid, NTK_NTKD_USER, NTK_PEER_PASSWD) == 0)))
		goto out;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	if (ntk_map_check(p, (size_t)st.st_size) != 0 ||
	    ((const struct ntk_map_hdr *)p)->view_uid != want_view || ntk_map_retired(p)) {
		munmap(p, (size_t)st.st_size);
		goto out;
	}
	*base = p;
	*size = (size_t)st.st_size;
	r = 0;
 out:
	close(fd);
	return r;
}

/* Map this euid's view, or the full map, in place of the current one (write lock held). */
static void
map_reopen_locked(void)
{
	const char *sock;
	char path[4096];
	uid_t euid = geteuid();
	void *base = NULL;
	size_t size = 0;
	int r = NTK_ERR_NOT_FOUND;

	if (map_base != NULL)
		munmap(map_base, map_size);
	map_base = NULL;
	sock = secure_getenv("NTK_SOCKET");
	if (sock == NULL || sock[0] == '\0')
		sock = NTK_SOCKET_PATH;
	/* Not root: its own view if ntkd wrote one; the full map only if ntkd made it readable. */
	if (euid != 0 && snprintf(path, sizeof(path), "%s.map.%lu", sock,
	    (unsigned long)euid) < (int)sizeof(path))
		r = map_open(path, euid, (uint32_t)euid, &base, &size);
	if (r != 0 && snprintf(path, sizeof(path), "%s.map", sock) < (int)sizeof(path))
		r = map_open(path, euid, NTK_MAP_FULL, &base, &size);
	if (r != 0)
		return;
	map_base = base;
	map_size = size;
	map_euid = euid;
	map_fixed = identity_fixed();
}

/* Is the current map usable for this caller (read lock held)? */
static bool
map_live(void)
{
	if (map_base == NULL || ntk_map_retired(map_base))
		return false;
	return map_fixed || geteuid() == map_euid;
}

enum what { BY_NAME, BY_GID, INITGROUPS };

struct ask {
	enum what what;
	const char *name;
	uint32_t gid;
	struct group *gr;
	char *buf;
	size_t buflen;
	/* INITGROUPS: the initgroups_dyn arguments, and how many gids were added */
	gid_t skip;
	long *start, *size, limit;
	gid_t **groupsp;
	long added;
};

static int
ask_locked(struct ask *a, int64_t now)
{
	const uint32_t *g;
	size_t n;
	int r;

	switch (a->what) {
	case BY_NAME:
		return ntk_map_group_by_name(map_base, map_size, a->name, now, a->gr, a->buf, a->buflen);
	case BY_GID:
		return ntk_map_group_by_gid(map_base, map_size, a->gid, now, a->gr, a->buf, a->buflen);
	case INITGROUPS:
		if ((r = ntk_map_initgroups(map_base, map_size, a->name, now, &g, &n)) != 0)
			return r;
		a->added = ntk_map_add_gids(g, n, a->skip, a->start, a->size, a->groupsp, a->limit);
		return a->added < 0 ? NTK_ERR_NOMEM : 0;
	}
	return NTK_ERR_NOT_FOUND;
}

/*
 * One look-up in the map. NTK_ERR_NOT_FOUND means "ask ntkd" (a miss, no
 * map, a retired or expired one), never "no such group": the map holds
 * only answers ntkd gave.
 */
static int
ask(struct ask *a)
{
	int64_t now_s, now_ms;
	long start0;
	int r = NTK_ERR_NOT_FOUND, cancel, saved = errno;
	bool tried = false;

	/* Inside nscd the answer would reach every uid (see ntk_nss_host_is_nscd). */
	if (ntk_nss_host_is_nscd())
		return NTK_ERR_NOT_FOUND;
	pthread_once(&map_once, map_init);
	now_s = coarse_ms(CLOCK_REALTIME_COARSE) / 1000;
	for (;;) {
		pthread_rwlock_rdlock(&map_lock);
		if (map_live()) {
			start0 = a->start != NULL ? *a->start : 0;
			r = ask_locked(a, now_s);
			/*
			 * Retired while we copied: the copy may come from a snapshot
			 * that no longer holds. Take back what was added; the socket answers.
			 */
			if (r == 0 && ntk_map_retired(map_base)) {
				if (a->start != NULL)
					*a->start = start0;
				r = NTK_ERR_NOT_FOUND;
			}
			pthread_rwlock_unlock(&map_lock);
			break;
		}
		pthread_rwlock_unlock(&map_lock);
		now_ms = coarse_ms(CLOCK_MONOTONIC_COARSE);
		if (tried || now_ms < atomic_load(&next_try_ms))
			break;
		/*
		 * Only here, when the map is absent, retired or not ours, do we make
		 * system calls; open() and close() are cancellation points, and a
		 * thread cancelled there would keep the write lock forever. (A hit
		 * passes none: no need to touch the cancel state for it.)
		 */
		atomic_store(&next_try_ms, now_ms + RETRY_MS);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
		pthread_rwlock_wrlock(&map_lock);
		map_reopen_locked();
		pthread_rwlock_unlock(&map_lock);
		pthread_setcancelstate(cancel, NULL);
		tried = true;
	}
	errno = saved;
	return r;
}

int
ntk_nss_map_group_by_name(const char *name, struct group *gr, char *buf, size_t buflen)
{
	struct ask a = { .what = BY_NAME, .name = name, .gr = gr, .buf = buf, .buflen = buflen };

	return ask(&a);
}

int
ntk_nss_map_group_by_gid(uint32_t gid, struct group *gr, char *buf, size_t buflen)
{
	struct ask a = { .what = BY_GID, .gid = gid, .gr = gr, .buf = buf, .buflen = buflen };

	return ask(&a);
}

long
ntk_nss_map_initgroups(const char *user, gid_t skip, long *start, long *size,
    gid_t **groupsp, long limit)
{
	struct ask a = { .what = INITGROUPS, .name = user, .skip = skip, .start = start,
		.size = size, .groupsp = groupsp, .limit = limit };
	int r;

	if ((r = ask(&a)) != 0)
		return r;
	return a.added;
}
