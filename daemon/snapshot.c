/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a config snapshot and counting references to it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ntk_err.h"
#include "peer.h"
#include "snapshot.h"

int
ntkd_snapshot_load(const char *path, unsigned long generation,
    struct ntkd_snapshot **out, char *err, size_t errlen)
{
	struct ntkd_snapshot *s;
	size_t i;
	uid_t uid;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NTK_ERR_NOMEM;
	}
	if ((r = ntk_config_load(path, &s->config, err, errlen)) != 0) {
		free(s);
		return r;
	}
	if (s->config.ntrusted_peers > 0 &&
	    (s->trusted_uids = calloc(s->config.ntrusted_peers, sizeof(uid_t))) == NULL) {
		ntk_config_clear(&s->config);
		free(s);
		snprintf(err, errlen, "%s: out of memory", path);
		return NTK_ERR_NOMEM;
	}
	for (i = 0; i < s->config.ntrusted_peers; i++) {
		/* A trusted peer that does not exist here (no mysql installed) is only noted. */
		if (ntkd_peer_uid_of(s->config.trusted_peers[i], &uid) != 0) {
			ntkd_log(LOG_INFO, "trusted_peers: no such user %s, ignored",
			    s->config.trusted_peers[i]);
			continue;
		}
		s->trusted_uids[s->ntrusted++] = uid;
	}
	atomic_init(&s->refs, 1);
	s->generation = generation;
	*out = s;
	return 0;
}

struct ntkd_snapshot *
ntkd_snapshot_ref(struct ntkd_snapshot *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void
ntkd_snapshot_unref(struct ntkd_snapshot *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	ntk_config_clear(&s->config);
	free(s->trusted_uids);
	free(s);
}
