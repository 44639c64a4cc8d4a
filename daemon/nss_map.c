/* The NSS map's state in ntkd: the answers given so far, and the thread that publishes them as files. */
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

#include "local_day.h"
#include "log.h"
#include "nss_map.h"
#include "nss_ntk_map.h"
#include "ntk_err.h"
#include "ntk_strset.h"
#include "ntkd.h"

#define BUCKETS 4096u
/* Answers arriving within this time go out in one file. */
#define PUBLISH_DELAY_MS 50

struct mgroup {
	struct mgroup *next;
	struct ntkd_map_group m;
};

struct minit {
	struct minit *next;
	struct ntkd_map_init m;
};

/* A per-uid view: the files an untrusted (or trusted non-root) uid may read. */
struct mview {
	struct mview *next;
	uid_t uid;
	char *name;                     /* its user name: whose groups go in */
	bool full;                      /* a trusted peer: everything */
	bool dirty;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started, stop;
	char *path;                     /* SOCKET.map */
	bool vis_all;                   /* [nss] visibility = all: the full map is world-readable */
	bool dirty;                     /* the full map needs writing */
	unsigned ttl;                   /* [cache] ttl as last seen */
	struct mgroup *groups[BUCKETS];
	size_t ngroups;
	struct minit *inits[BUCKETS];
	size_t ninits;
	struct mview *views[BUCKETS];   /* by uid */
	size_t nviews;
} m = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void
group_free(struct mgroup *g)
{
	size_t i;

	for (i = 0; i < g->m.nmembers; i++)
		free(g->m.members[i]);
	free((void *)(uintptr_t)g->m.members);
	free((void *)(uintptr_t)g->m.name);
	free(g);
}

static void
init_free(struct minit *in)
{
	free((void *)(uintptr_t)in->m.gids);
	free((void *)(uintptr_t)in->m.user);
	free(in);
}

static struct mgroup **
group_slot(const char *name)
{
	struct mgroup **pp = &m.groups[ntk_str_hash(name) % BUCKETS];

	while (*pp != NULL && strcmp((*pp)->m.name, name) != 0)
		pp = &(*pp)->next;
	return pp;
}

static struct minit **
init_slot(const char *user)
{
	struct minit **pp = &m.inits[ntk_str_hash(user) % BUCKETS];

	while (*pp != NULL && strcmp((*pp)->m.user, user) != 0)
		pp = &(*pp)->next;
	return pp;
}

static int
cmp_gid(const void *a, const void *b)
{
	uint32_t x = (*(const struct ntkd_map_group *const *)a)->gid;
	uint32_t y = (*(const struct ntkd_map_group *const *)b)->gid;

	return x < y ? -1 : x > y;
}

static struct mview *
view_find(uid_t uid)
{
	struct mview *v;

	for (v = m.views[uid % BUCKETS]; v != NULL; v = v->next)
		if (v->uid == uid)
			return v;
	return NULL;
}

static void
views_dirty_for(const char *name)
{
	struct mview *v;
	size_t b;

	for (b = 0; b < BUCKETS; b++)
		for (v = m.views[b]; v != NULL; v = v->next)
			if (v->full || (name == NULL || strcmp(v->name, name) == 0))
				v->dirty = true;
}

static bool
is_member(const struct ntkd_map_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nmembers; i++)
		if (strcmp(g->members[i], name) == 0)
			return true;
	return false;
}

/* The views a group's change shows in: its members' and the full ones. */
static void
views_dirty_group(const struct ntkd_map_group *g)
{
	struct mview *v;
	size_t b;

	for (b = 0; b < BUCKETS && m.nviews > 0; b++)
		for (v = m.views[b]; v != NULL; v = v->next)
			if (v->full || is_member(g, v->name))
				v->dirty = true;
}

/*
 * Keys dropped from ntkd's caches, and when. A request that read a cache
 * entry just before the drop may still try to put it in the map after:
 * an answer fetched before the drop of its key (or of everything) is
 * refused, so a drop is never undone by a late put.
 */
struct mdrop {
	struct mdrop *next;
	char *key;
	int64_t at;
};

static struct mdrop *drops[BUCKETS];
static int64_t dropped_all;             /* the last drop of everything */

static bool
dropped_since(const char *key, int64_t fetched)
{
	struct mdrop *d;

	if (fetched < dropped_all)
		return true;
	for (d = drops[ntk_str_hash(key) % BUCKETS]; d != NULL; d = d->next)
		if (strcmp(d->key, key) == 0)
			return fetched < d->at;
	return false;
}

static void
drop_note(const char *key, int64_t now)
{
	struct mdrop *d, **pp;
	size_t b;

	if (key == NULL) {
		dropped_all = now;
		/* Everything older is covered by dropped_all. */
		for (b = 0; b < BUCKETS; b++)
			while ((d = drops[b]) != NULL) {
				drops[b] = d->next;
				free(d->key);
				free(d);
			}
		return;
	}
	for (pp = &drops[ntk_str_hash(key) % BUCKETS]; (d = *pp) != NULL; pp = &d->next)
		if (strcmp(d->key, key) == 0) {
			d->at = now;
			return;
		}
	if ((d = calloc(1, sizeof(*d))) == NULL || (d->key = strdup(key)) == NULL) {
		/* Cannot remember this key: forget everything older instead (safe). */
		free(d);
		dropped_all = now;
		return;
	}
	d->at = now;
	d->next = drops[ntk_str_hash(key) % BUCKETS];
	drops[ntk_str_hash(key) % BUCKETS] = d;
}

/* Drop notes older than the ttl: no answer that old is ever put again (expiry). */
static void
drops_prune(int64_t now)
{
	struct mdrop *d, **pp;
	size_t b;

	if (m.ttl == 0)
		return;
	for (b = 0; b < BUCKETS; b++)
		for (pp = &drops[b]; (d = *pp) != NULL;) {
			if (d->at < now - (int64_t)m.ttl - 1) {
				*pp = d->next;
				free(d->key);
				free(d);
				continue;
			}
			pp = &d->next;
		}
}

/* How long an answer given now may be served from the map: the cache's ttl, and never past midnight. */
static int64_t
expiry(const struct ntkd_req *r, int64_t fetched)
{
	int64_t to_midnight = 0, e = fetched + (int64_t)r->snap->config.cache_ttl;

	(void)ntkd_local_day(r->now, &to_midnight);
	if (e > r->now + to_midnight)
		e = r->now + to_midnight;
	return e;
}

/* The peer's view (lock held): untrusted peers and trusted ones other than root. */
static void
view_register(struct ntkd_req *r)
{
	struct mview *v;
	bool trusted = ntkd_req_trusted(r);

	if (m.vis_all || r->peer->uid == 0 || (!trusted && !r->peer->has_name) ||
	    view_find(r->peer->uid) != NULL)
		return;
	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (v->name = strdup(r->peer->has_name ? r->peer->name : "")) == NULL) {
		free(v);
		return;
	}
	v->uid = r->peer->uid;
	v->full = trusted;
	v->dirty = true;
	v->next = m.views[v->uid % BUCKETS];
	m.views[v->uid % BUCKETS] = v;
	m.nviews++;
}

static bool
enabled(struct ntkd_req *r)
{
	return m.started && r->snap->config.nss_map;
}

void
ntkd_nss_map_group(struct ntkd_req *r, const struct ntk_group *g, int64_t fetched)
{
	struct mgroup *n, **slot;
	int64_t exp;
	size_t i;

	if (!enabled(r) || (exp = expiry(r, fetched)) <= r->now)
		return;
	pthread_mutex_lock(&m.lock);
	m.vis_all = r->snap->config.visibility == NTK_VISIBILITY_ALL;
	m.ttl = r->snap->config.cache_ttl;
	view_register(r);
	if (dropped_since(g->name, fetched))
		goto out;
	slot = group_slot(g->name);
	/* The same answer again (a cache hit): nothing to write. */
	if (*slot != NULL && (*slot)->m.expires == exp && (*slot)->m.gid == g->gid)
		goto out;
	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->m.name = strdup(g->name)) == NULL ||
	    (n->m.members = calloc(g->nmembers + 1, sizeof(char *))) == NULL)
		goto fail;
	for (i = 0; i < g->nmembers; i++) {
		if ((((char **)(uintptr_t)n->m.members)[i] = strdup(g->members[i])) == NULL)
			goto fail;
		n->m.nmembers++;
	}
	n->m.gid = g->gid;
	n->m.expires = exp;
	if (*slot != NULL) {
		n->next = (*slot)->next;
		group_free(*slot);
	} else {
		m.ngroups++;
	}
	*slot = n;
	m.dirty = true;
	views_dirty_group(&n->m);
	pthread_cond_signal(&m.cond);
	goto out;
 fail:
	if (n != NULL)
		group_free(n);
 out:
	pthread_mutex_unlock(&m.lock);
}

void
ntkd_nss_map_initgroups(struct ntkd_req *r, const char *user, const struct ntk_gid_list *l,
    int64_t fetched)
{
	struct minit *n, **slot;
	int64_t exp;

	/* No gids: the socket says NOTFOUND as cheaply, and negative answers have their own ttl. */
	if (!enabled(r) || l->ngids == 0 || (exp = expiry(r, fetched)) <= r->now)
		return;
	pthread_mutex_lock(&m.lock);
	m.vis_all = r->snap->config.visibility == NTK_VISIBILITY_ALL;
	view_register(r);
	if (dropped_since(user, fetched))
		goto out;
	slot = init_slot(user);
	if (*slot != NULL && (*slot)->m.expires == exp && (*slot)->m.ngids == l->ngids &&
	    memcmp((*slot)->m.gids, l->gids, l->ngids * 4) == 0)
		goto out;
	if ((n = calloc(1, sizeof(*n))) == NULL || (n->m.user = strdup(user)) == NULL ||
	    (n->m.gids = malloc(l->ngids * 4)) == NULL) {
		if (n != NULL)
			init_free(n);
		goto out;
	}
	memcpy((void *)(uintptr_t)n->m.gids, l->gids, l->ngids * 4);
	n->m.ngids = l->ngids;
	n->m.expires = exp;
	if (*slot != NULL) {
		n->next = (*slot)->next;
		init_free(*slot);
	} else {
		m.ninits++;
	}
	*slot = n;
	m.dirty = true;
	views_dirty_for(user);
	pthread_cond_signal(&m.cond);
 out:
	pthread_mutex_unlock(&m.lock);
}

/* Mark a published file retired: one aligned word, seen by every process that maps it. */
static void
retire_path(const char *path, bool remove)
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
	snprintf(out, len, "%s.%lu", m.path, (unsigned long)uid);
}

/* Retire (and with `remove`, delete) every file published (lock held). */
static void
retire_all(bool remove)
{
	char path[4096];
	struct mview *v;
	size_t b;

	retire_path(m.path, remove);
	for (b = 0; b < BUCKETS; b++)
		for (v = m.views[b]; v != NULL; v = v->next) {
			view_path(v->uid, path, sizeof(path));
			retire_path(path, remove);
			v->dirty = true;
		}
	m.dirty = true;
}

static void
clear_records(void)
{
	struct mgroup *g;
	struct minit *in;
	size_t b;

	for (b = 0; b < BUCKETS; b++) {
		while ((g = m.groups[b]) != NULL) {
			m.groups[b] = g->next;
			group_free(g);
		}
		while ((in = m.inits[b]) != NULL) {
			m.inits[b] = in->next;
			init_free(in);
		}
	}
	m.ngroups = m.ninits = 0;
}

void
ntkd_nss_map_drop(const char *key)
{
	struct mgroup **gs, *g;
	struct minit **is, *in;

	if (!m.started)
		return;
	pthread_mutex_lock(&m.lock);
	/* First: from here on no reader believes what was published. */
	retire_all(key == NULL);
	drop_note(key, (int64_t)time(NULL));
	if (key == NULL) {
		clear_records();
	} else {
		if (*(gs = group_slot(key)) != NULL) {
			g = *gs;
			*gs = g->next;
			group_free(g);
			m.ngroups--;
		}
		if (*(is = init_slot(key)) != NULL) {
			in = *is;
			*is = in->next;
			init_free(in);
			m.ninits--;
		}
	}
	pthread_cond_signal(&m.cond);
	pthread_mutex_unlock(&m.lock);
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
	retire_path(path, false);
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
	struct mgroup **gp, *g;
	struct minit **ip, *in;
	size_t b;

	*ng = *ni = 0;
	*gv = calloc(m.ngroups + 1, sizeof(**gv));
	*iv = calloc(m.ninits + 1, sizeof(**iv));
	if (*gv == NULL || *iv == NULL)
		return NTK_ERR_NOMEM;
	for (b = 0; b < BUCKETS; b++) {
		for (gp = &m.groups[b]; (g = *gp) != NULL;) {
			if (g->m.expires <= now) {
				*gp = g->next;
				group_free(g);
				m.ngroups--;
				continue;
			}
			(*gv)[(*ng)++] = &g->m;
			gp = &g->next;
		}
		for (ip = &m.inits[b]; (in = *ip) != NULL;) {
			if (in->m.expires <= now) {
				*ip = in->next;
				init_free(in);
				m.ninits--;
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
publish_view(struct mview *v, const struct ntkd_map_group *const *gv,
    const struct ntkd_map_group *const *bygid, size_t ng,
    const struct ntkd_map_init *const *iv, size_t ni, int64_t now)
{
	const struct ntkd_map_group **mine = NULL, *const *hit;
	const struct ntkd_map_init *in = NULL;
	struct ntkd_map_group *copy = NULL, key;
	const struct ntkd_map_group *kp = &key;
	struct minit **slot;
	unsigned char *img = NULL;
	char path[4096];
	size_t n = 0, len, i;
	int rc;

	view_path(v->uid, path, sizeof(path));
	if (v->full) {
		rc = ntkd_nss_map_build(gv, ng, iv, ni, (uint32_t)v->uid, now, &img, &len);
		goto write;
	}
	if (*(slot = init_slot(v->name)) != NULL)
		in = &(*slot)->m;
	if (in != NULL && ((mine = calloc(in->ngids + 1, sizeof(*mine))) == NULL ||
	    (copy = calloc(in->ngids + 1, sizeof(*copy))) == NULL)) {
		rc = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; in != NULL && i < in->ngids; i++)
		if ((key.gid = in->gids[i], hit = bsearch(&kp, bygid, ng, sizeof(*bygid), cmp_gid)) != NULL &&
		    is_member(*hit, v->name)) {
			/* Seen through this user's facts too: the earlier expiry of the two. */
			copy[n] = **hit;
			if (in->expires < copy[n].expires)
				copy[n].expires = in->expires;
			mine[n] = &copy[n];
			n++;
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
	struct mview *v;
	size_t ng, ni, len, b;
	int rc;

	drops_prune(now);
	if ((rc = collect(now, &gv, &ng, &iv, &ni)) != 0)
		goto out;
	/* Nothing to serve (after a drop, or with map = no): the retired files stay retired. */
	if (ng + ni == 0)
		goto out;
	if ((bygid = calloc(ng + 1, sizeof(*bygid))) == NULL)
		goto out;
	memcpy(bygid, gv, ng * sizeof(*bygid));
	qsort(bygid, ng, sizeof(*bygid), cmp_gid);
	if (m.dirty) {
		if ((rc = ntkd_nss_map_build(gv, ng, iv, ni, NTK_MAP_FULL, now, &img, &len)) == 0)
			rc = write_file(m.path, img, len, m.vis_all ? 0444 : 0400, (uid_t)-1);
		if (rc != 0)
			ntkd_log(LOG_WARNING, "nss map: cannot write %s: %s", m.path, ntk_strerror(rc));
		m.dirty = false;
	}
	for (b = 0; b < BUCKETS && !m.vis_all; b++)
		for (v = m.views[b]; v != NULL; v = v->next)
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
	m.dirty = false;
	for (b = 0; b < BUCKETS; b++)
		for (v = m.views[b]; v != NULL; v = v->next)
			v->dirty = false;
}

static bool
any_dirty(void)
{
	struct mview *v;
	size_t b;

	if (m.dirty)
		return true;
	for (b = 0; b < BUCKETS; b++)
		for (v = m.views[b]; v != NULL; v = v->next)
			if (v->dirty)
				return true;
	return false;
}

static void *
publisher(void *arg)
{
	struct timespec delay = { 0, PUBLISH_DELAY_MS * 1000000L };

	(void)arg;
	pthread_mutex_lock(&m.lock);
	while (!m.stop) {
		if (!any_dirty()) {
			pthread_cond_wait(&m.cond, &m.lock);
			continue;
		}
		/* Let a burst of answers arrive, then write them together. */
		pthread_mutex_unlock(&m.lock);
		nanosleep(&delay, NULL);
		pthread_mutex_lock(&m.lock);
		if (!m.stop)
			publish_locked();
	}
	pthread_mutex_unlock(&m.lock);
	return NULL;
}

/* Files a previous ntkd left (SOCKET.map, SOCKET.map.*): retired, then removed. */
static void
remove_stale(void)
{
	char *copy, *dir, *base, path[4200];
	struct dirent *e;
	size_t blen;
	DIR *d;

	if ((copy = strdup(m.path)) == NULL)
		return;
	dir = dirname(copy);
	base = strrchr(m.path, '/') != NULL ? strrchr(m.path, '/') + 1 : m.path;
	blen = strlen(base);
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strncmp(e->d_name, base, blen) == 0 &&
			    (e->d_name[blen] == '\0' || e->d_name[blen] == '.')) {
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
				retire_path(path, true);
			}
		closedir(d);
	}
	free(copy);
}

int
ntkd_nss_map_start(const char *socket)
{
	if (m.started)
		return 0;
	if (asprintf(&m.path, "%s.map", socket) < 0) {
		m.path = NULL;
		return NTK_ERR_NOMEM;
	}
	remove_stale();
	m.stop = false;
	if (pthread_create(&m.thread, NULL, publisher, NULL) != 0) {
		free(m.path);
		m.path = NULL;
		return NTK_ERR_NOMEM;
	}
	m.started = true;
	return 0;
}

void
ntkd_nss_map_stop(void)
{
	struct mview *v;
	size_t b;

	if (!m.started)
		return;
	pthread_mutex_lock(&m.lock);
	m.stop = true;
	pthread_cond_signal(&m.cond);
	pthread_mutex_unlock(&m.lock);
	pthread_join(m.thread, NULL);
	pthread_mutex_lock(&m.lock);
	retire_all(true);
	remove_stale();
	clear_records();
	for (b = 0; b < BUCKETS; b++)
		while ((v = m.views[b]) != NULL) {
			m.views[b] = v->next;
			free(v->name);
			free(v);
		}
	m.nviews = 0;
	m.started = false;
	pthread_mutex_unlock(&m.lock);
	free(m.path);
	m.path = NULL;
}
