/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map's files: written whole and renamed into place, retired in place, by one publisher thread. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "nss_map.h"
#include "nss_map_state.h"
#include "nss_ntk_map.h"
#include "ntk_err.h"

static struct ntkd_nss_map_state *const m = &ntkd_nss_map_m;

/* Mark a published file retired: one aligned word, seen by every process that maps it. */
void
ntkd_nss_map_retire_path(const char *path, bool remove)
{
	uint32_t one = 1;
	struct stat st;
	int fd;

	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)) >= 0) {
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size >= (off_t)sizeof(struct ntk_map_hdr) &&
		    pwrite(fd, &one, sizeof(one), offsetof(struct ntk_map_hdr, retired)) !=
		    (ssize_t)sizeof(one))
			ntkd_log(LOG_WARNING, "nss map: cannot retire %s: %s", path, strerror(errno));
		close(fd);
	}
	if (remove)
		unlink(path);
}

static void
view_path(uid_t uid, char *out, size_t len)
{
	snprintf(out, len, "%s.%lu", m->path, (unsigned long)uid);
}

/* Retire (and with `remove`, delete) every file published (lock held). */
void
ntkd_nss_map_retire_all(bool remove)
{
	char path[4096];
	struct ntkd_nss_mview *v;
	size_t b;

	ntkd_nss_map_retire_path(m->path, remove);
	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++)
		for (v = m->views[b]; v != NULL; v = v->next) {
			view_path(v->uid, path, sizeof(path));
			ntkd_nss_map_retire_path(path, remove);
			v->dirty = true;
		}
	m->dirty = true;
}

/*
 * Write `img` as `path`: a new file under a temporary name, owner and mode
 * set before any reader can open it, then renamed over the old one (which
 * is retired once the new one is in place).
 */
static int
write_file(const char *path, const unsigned char *img, size_t len, mode_t mode, uid_t owner)
{
	char tmp[4200];
	size_t done = 0;
	ssize_t w;
	int fd, rc = NTK_ERR_IO;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return NTK_ERR_IO;
	while (done < len) {
		if ((w = write(fd, img + done, len - done)) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		done += (size_t)w;
	}
	if ((owner != (uid_t)-1 && fchown(fd, owner, (gid_t)-1) != 0) || fchmod(fd, mode) != 0)
		goto out;
	ntkd_nss_map_retire_path(path, false);
	if (rename(tmp, path) != 0)
		goto out;
	rc = 0;
 out:
	close(fd);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* Collect the live records (lock held), dropping expired ones. */
static int
collect(int64_t now, const struct ntkd_map_group ***gv, size_t *ng,
    const struct ntkd_map_init ***iv, size_t *ni)
{
	struct ntkd_nss_mgroup **gp, *g;
	struct ntkd_nss_minit **ip, *in;
	size_t b;

	*ng = *ni = 0;
	*gv = calloc(m->ngroups + 1, sizeof(**gv));
	*iv = calloc(m->ninits + 1, sizeof(**iv));
	if (*gv == NULL || *iv == NULL)
		return NTK_ERR_NOMEM;
	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++) {
		for (gp = &m->groups[b]; (g = *gp) != NULL;) {
			if (g->m.expires <= now) {
				*gp = g->next;
				ntkd_nss_map_group_free(g);
				m->ngroups--;
				continue;
			}
			(*gv)[(*ng)++] = &g->m;
			gp = &g->next;
		}
		for (ip = &m->inits[b]; (in = *ip) != NULL;) {
			if (in->m.expires <= now) {
				*ip = in->next;
				ntkd_nss_map_init_free(in);
				m->ninits--;
				continue;
			}
			(*iv)[(*ni)++] = &in->m;
			ip = &in->next;
		}
	}
	return 0;
}

/*
 * An untrusted uid's view: its own initgroups and the groups ntkd would
 * show it over the socket (it is a member, and the gid is among its own).
 */
static int
publish_view(struct ntkd_nss_mview *v, const struct ntkd_map_group *const *gv,
    const struct ntkd_map_group *const *bygid, size_t ng,
    const struct ntkd_map_init *const *iv, size_t ni, int64_t now)
{
	const struct ntkd_map_group **mine = NULL, *const *hit;
	const struct ntkd_map_init *in = NULL;
	struct ntkd_map_group *copy = NULL, key;
	const struct ntkd_map_group *kp = &key;
	struct ntkd_nss_minit **slot;
	unsigned char *img = NULL;
	char path[4096];
	size_t n = 0, len, i;
	int rc;

	view_path(v->uid, path, sizeof(path));
	if (v->full) {
		rc = ntkd_nss_map_build(gv, ng, iv, ni, (uint32_t)v->uid, now, &img, &len);
		goto write;
	}
	if (*(slot = ntkd_nss_map_init_slot(v->name)) != NULL)
		in = &(*slot)->m;
	if (in != NULL && ((mine = calloc(in->ngids + 1, sizeof(*mine))) == NULL ||
	    (copy = calloc(in->ngids + 1, sizeof(*copy))) == NULL)) {
		rc = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; in != NULL && i < in->ngids; i++) {
		key.gid = in->gids[i];
		hit = bsearch(&kp, bygid, ng, sizeof(*bygid), ntkd_nss_map_cmp_gid);
		if (hit != NULL && ntkd_nss_map_is_member(*hit, v->name)) {
			/* Seen through this user's facts too: the earlier expiry of the two. */
			copy[n] = **hit;
			if (in->expires < copy[n].expires)
				copy[n].expires = in->expires;
			mine[n] = &copy[n];
			n++;
		}
	}
	rc = ntkd_nss_map_build(mine, n, &in, in != NULL ? 1 : 0, (uint32_t)v->uid, now, &img, &len);
 write:
	if (rc == 0)
		rc = write_file(path, img, len, 0400, v->uid);
 out:
	free(img);
	free(mine);
	free(copy);
	return rc;
}

/* Write the full map and the views that changed (lock held). */
static void
publish_locked(void)
{
	const struct ntkd_map_group **gv = NULL, **bygid = NULL;
	const struct ntkd_map_init **iv = NULL;
	int64_t now = (int64_t)time(NULL);
	unsigned char *img = NULL;
	struct ntkd_nss_mview *v;
	size_t ng, ni, len, b;
	int rc;

	ntkd_nss_map_drops_prune(now);
	if ((rc = collect(now, &gv, &ng, &iv, &ni)) != 0)
		goto out;
	/* Nothing to serve (after a drop, or with map = no): the retired files stay retired. */
	if (ng + ni == 0)
		goto out;
	if ((bygid = calloc(ng + 1, sizeof(*bygid))) == NULL)
		goto out;
	memcpy(bygid, gv, ng * sizeof(*bygid));
	qsort(bygid, ng, sizeof(*bygid), ntkd_nss_map_cmp_gid);
	if (m->dirty) {
		if ((rc = ntkd_nss_map_build(gv, ng, iv, ni, NTK_MAP_FULL, now, &img, &len)) == 0)
			rc = write_file(m->path, img, len, m->vis_all ? 0444 : 0400, (uid_t)-1);
		if (rc != 0)
			ntkd_log(LOG_WARNING, "nss map: cannot write %s: %s", m->path, ntk_strerror(rc));
		m->dirty = false;
	}
	for (b = 0; b < NTKD_NSS_MAP_BUCKETS && !m->vis_all; b++)
		for (v = m->views[b]; v != NULL; v = v->next)
			if (v->dirty) {
				/* Not root (no chown): the uid simply asks over the socket. */
				(void)publish_view(v, gv, bygid, ng, iv, ni, now);
				v->dirty = false;
			}
 out:
	free(img);
	free(gv);
	free(bygid);
	free(iv);
	m->dirty = false;
	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++)
		for (v = m->views[b]; v != NULL; v = v->next)
			v->dirty = false;
}

static bool
any_dirty(void)
{
	struct ntkd_nss_mview *v;
	size_t b;

	if (m->dirty)
		return true;
	for (b = 0; b < NTKD_NSS_MAP_BUCKETS; b++)
		for (v = m->views[b]; v != NULL; v = v->next)
			if (v->dirty)
				return true;
	return false;
}

void *
ntkd_nss_map_publisher(void *arg)
{
	struct timespec delay = { 0, NTKD_NSS_MAP_DELAY_MS * 1000000L }, t0, t1;
	long took_ns;

	(void)arg;
	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		if (!any_dirty()) {
			pthread_cond_wait(&m->cond, &m->lock);
			continue;
		}
		/* Let a burst of answers arrive, then write them together. */
		pthread_mutex_unlock(&m->lock);
		nanosleep(&delay, NULL);
		pthread_mutex_lock(&m->lock);
		if (m->stop)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		publish_locked();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/*
		 * A big map under a stream of new answers: wait 4 times as long
		 * as writing took (at most 1 s), so publishing stays a fraction
		 * of one core; misses meanwhile are answered over the socket.
		 */
		took_ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
		took_ns = took_ns * 4 > 999999999L ? 999999999L : took_ns * 4;
		delay.tv_nsec = took_ns > NTKD_NSS_MAP_DELAY_MS * 1000000L ? took_ns :
		    NTKD_NSS_MAP_DELAY_MS * 1000000L;
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* Files a previous ntkd left (SOCKET.map, SOCKET.map.*): retired, then removed. */
void
ntkd_nss_map_remove_stale(void)
{
	char *copy, *dir, *base, path[4200];
	struct dirent *e;
	size_t blen;
	DIR *d;

	if ((copy = strdup(m->path)) == NULL)
		return;
	dir = dirname(copy);
	base = strrchr(m->path, '/') != NULL ? strrchr(m->path, '/') + 1 : m->path;
	blen = strlen(base);
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strncmp(e->d_name, base, blen) == 0 &&
			    (e->d_name[blen] == '\0' || e->d_name[blen] == '.')) {
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
				ntkd_nss_map_retire_path(path, true);
			}
		closedir(d);
	}
	free(copy);
}
