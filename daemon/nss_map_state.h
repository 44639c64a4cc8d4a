/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NSS map inside ntkd, shared by its two halves: the records (nss_map.c) and the files (nss_map_publish.c). */
#ifndef NTKD_NSS_MAP_STATE_H
#define NTKD_NSS_MAP_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nss_map.h"

#define NTKD_NSS_MAP_BUCKETS 4096u
/* Answers arriving within this time go out in one file. */
#define NTKD_NSS_MAP_DELAY_MS 50

struct ntkd_nss_mgroup {
	struct ntkd_nss_mgroup *next;
	struct ntkd_map_group m;
};

struct ntkd_nss_minit {
	struct ntkd_nss_minit *next;
	struct ntkd_map_init m;
};

/* A per-uid view: the files an untrusted (or trusted non-root) uid may read. */
struct ntkd_nss_mview {
	struct ntkd_nss_mview *next;
	uid_t uid;
	char *name;                     /* its user name: whose groups go in */
	bool full;                      /* a trusted peer: everything */
	bool dirty;
};

struct ntkd_nss_map_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started, stop;
	char *path;                     /* SOCKET.map */
	bool vis_all;                   /* [nss] visibility = all: the full map is world-readable */
	bool dirty;                     /* the full map needs writing */
	unsigned ttl;                   /* [cache] ttl as last seen */
	struct ntkd_nss_mgroup *groups[NTKD_NSS_MAP_BUCKETS];
	size_t ngroups;
	struct ntkd_nss_minit *inits[NTKD_NSS_MAP_BUCKETS];
	size_t ninits;
	struct ntkd_nss_mview *views[NTKD_NSS_MAP_BUCKETS];   /* by uid */
	size_t nviews;
};

/* One instance, guarded by its lock; every function below is called with it held. */
extern struct ntkd_nss_map_state ntkd_nss_map_m;

/* nss_map.c: records. */
void ntkd_nss_map_group_free(struct ntkd_nss_mgroup *g);
void ntkd_nss_map_init_free(struct ntkd_nss_minit *in);
struct ntkd_nss_minit **ntkd_nss_map_init_slot(const char *user);
bool ntkd_nss_map_is_member(const struct ntkd_map_group *g, const char *name);
int ntkd_nss_map_cmp_gid(const void *a, const void *b);
void ntkd_nss_map_drops_prune(int64_t now);
void ntkd_nss_map_clear_records(void);

/* nss_map_publish.c: files. */
void ntkd_nss_map_retire_path(const char *path, bool remove);
void ntkd_nss_map_retire_all(bool remove);
void ntkd_nss_map_remove_stale(void);
void *ntkd_nss_map_publisher(void *arg);

#endif /* NTKD_NSS_MAP_STATE_H */
