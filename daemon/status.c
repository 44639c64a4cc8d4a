/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* STATUS (key=value lines for ntkctl status) and FLUSH (root only). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cache.h"
#include "dir_sync.h"
#include "grants.h"
#include "handlers.h"
#include "ldap_health.h"
#include "ntk_err.h"
#include "ntk_proto.h"

int
ntkd_handle_status(struct ntkd_req *r)
{
	struct ntkd *d = r->d;
	struct ntkd_audit_counters audit;
	unsigned long hits, misses;
	size_t entries;
	char *text = NULL, server[1024];
	bool up, tried;
	size_t len = 0;
	FILE *f;
	int rc;

	if (ntk_buf_remaining(r->body) != 0) {
		r->close = true;
		return NTK_ERR_TRAILING;
	}
	ntkd_cache_stats(d->facts, &entries, &hits, &misses);
	ntkd_audit_counters(d->audit, &audit);
	pthread_mutex_lock(&d->ldap_lock);
	snprintf(server, sizeof(server), "%s", d->ldap_server != NULL ? d->ldap_server : "none");
	up = d->ldap_up;
	tried = d->ldap_tried;
	pthread_mutex_unlock(&d->ldap_lock);
	if ((f = open_memstream(&text, &len)) == NULL)
		return NTK_ERR_NOMEM;
	fprintf(f, "version=%s\n", PACKAGE_VERSION);
	fprintf(f, "pid=%ld\n", (long)getpid());
	fprintf(f, "uptime=%lld\n", (long long)(r->now - d->started));
	fprintf(f, "ldap_server=%s\n", server);
	/* Before the first LDAP operation there is nothing to say. */
	fprintf(f, "ldap_state=%s\n", tried ? (up ? "up" : "down") : "unknown");
	fprintf(f, "ldap_round_trips=%lu\n", atomic_load(&d->ldap_round_trips));
	ntkd_ldap_health_print(f, r->snap->config.uris, r->snap->config.nuris);
	fprintf(f, "cache_entries=%zu\n", entries);
	fprintf(f, "cache_hits=%lu\n", hits);
	fprintf(f, "cache_misses=%lu\n", misses);
	fprintf(f, "cache_hit_rate=%.1f%%\n", hits + misses > 0 ? 100.0 * hits / (hits + misses) : 0.0);
	ntkd_dir_sync_status(d->sync, f);
	fprintf(f, "auditd=%s\n", ntkd_auditd_state_name(audit.auditd));
	fprintf(f, "audit_written=%lu\n", audit.written);
	fprintf(f, "audit_failed=%lu\n", audit.failed);
	fprintf(f, "audit_dropped=%lu\n", audit.dropped);
	fprintf(f, "audit_unheard=%lu\n", audit.unheard);
	fprintf(f, "audit_suppressed=%lu\n", audit.suppressed);
	fprintf(f, "audit_summaries=%lu\n", audit.summaries);
	fprintf(f, "break_glass_granted=%lu\n", audit.bg_granted);
	fprintf(f, "break_glass_refused=%lu\n", audit.bg_refused);
	fprintf(f, "break_glass_unconfirmed=%lu\n", audit.bg_unconfirmed);
	fprintf(f, "break_glass_last_refusal=%s\n", ntkd_bg_refusal_name(audit.bg_last_refusal));
	fprintf(f, "break_glass_confirm_ms_last=%lu\n", audit.bg_confirm_ms_last);
	fprintf(f, "break_glass_confirm_ms_max=%lu\n", audit.bg_confirm_ms_max);
	fprintf(f, "connections=%u\n", atomic_load(&d->connections));
	fprintf(f, "requests=%lu\n", atomic_load(&d->requests));
	fprintf(f, "grants_active=%zu\n", ntkd_grants_active(d->grants, r->now));
	fprintf(f, "config_generation=%lu", r->snap->generation);
	if (fclose(f) != 0) {
		free(text);
		return NTK_ERR_NOMEM;
	}
	if ((rc = ntkd_reply_begin(r)) == 0 && (rc = ntk_proto_encode_str(r->out, text)) == 0)
		rc = ntk_proto_end(r->out);
	free(text);
	return rc;
}

int
ntkd_handle_flush(struct ntkd_req *r)
{
	char *user = NULL;
	size_t n;
	int rc;

	if ((rc = ntk_proto_decode_str(r->body, &user)) != 0) {
		r->close = true;
		return rc;
	}
	/* Group answers mix many users: they all go either way. */
	n = ntkd_cache_drop(r->d->facts, user[0] != '\0' ? user : NULL);
	ntkd_cache_drop(r->d->groups, NULL);
	free(user);
	if ((rc = ntkd_reply_begin(r)) == 0 && (rc = ntk_proto_encode_u32(r->out, (uint32_t)n)) == 0)
		rc = ntk_proto_end(r->out);
	return rc;
}
