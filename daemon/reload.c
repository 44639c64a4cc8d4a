/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIGHUP: load the config again and swap it in, or keep the old one and say why. */
#include "config.h"

#include <string.h>

#include "cache.h"
#include "log.h"
#include "ntk_config_perm.h"
#include "server.h"

void
ntkd_reload(struct ntkd *d)
{
	struct ntkd_snapshot *fresh, *old;
	char err[1024];

	pthread_mutex_lock(&d->snap_lock);
	old = ntkd_snapshot_ref(d->snap);
	pthread_mutex_unlock(&d->snap_lock);
	/* Checked again: the file may have been made writable since start. */
	if (ntk_config_perm_check(d->config_path, err, sizeof(err)) != 0 ||
	    ntkd_snapshot_load(d->config_path, old->generation + 1, &fresh, err, sizeof(err)) != 0) {
		ntkd_log(LOG_ERR, "reload refused, keeping the running config: %s", err);
		ntkd_snapshot_unref(old);
		return;
	}
	if (strcmp(fresh->config.socket, old->config.socket) != 0 ||
	    fresh->config.threads != old->config.threads ||
	    fresh->config.audit_queue != old->config.audit_queue)
		ntkd_log(LOG_WARNING, "reload: socket, threads and [audit] queue take effect at restart");
	pthread_mutex_lock(&d->snap_lock);
	d->snap = fresh;
	pthread_mutex_unlock(&d->snap_lock);
	ntkd_snapshot_unref(old);       /* our reference */
	ntkd_snapshot_unref(old);       /* the daemon's; requests may still hold theirs */
	/* Facts were fetched with the old mapping and policy. */
	ntkd_cache_drop(d->facts, NULL);
	ntkd_cache_drop(d->groups, NULL);
	ntkd_log(LOG_INFO, "config reloaded from %s", d->config_path);
}
