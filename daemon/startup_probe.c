/* At start, bind to the directory once, so a wrong password or TLS setup is logged before the first login. */
#include "config.h"

#include <stdlib.h>

#include "directory.h"
#include "log.h"
#include "ntk_err.h"
#include "startup_probe.h"

static void *
probe_main(void *arg)
{
	struct ntkd_startup_probe *p = arg;
	struct ntkd_directory *d = NULL;
	int r;

	if ((r = ntkd_directory_open(&p->snap->config, &d)) == 0)
		r = ntkd_directory_probe_base(d);
	if (r == 0)
		ntkd_log(LOG_INFO, "ldap: startup check: bound to %s, base \"%s\" exists",
		    ntkd_directory_server(d) != NULL ? ntkd_directory_server(d) : "?",
		    p->snap->config.base);
	else if (r == NTK_ERR_NOT_FOUND)
		ntkd_log(LOG_ERR, "ldap: startup check: base \"%s\" does not exist: every lookup "
		    "will fail (directory-unavailable)", p->snap->config.base);
	else
		ntkd_log(LOG_ERR, "ldap: startup check: no server could be bound (%s); "
		    "decisions are directory-unavailable until one can", ntk_strerror(r));
	ntkd_directory_close(d);
	return NULL;
}

void
ntkd_startup_probe_start(struct ntkd_startup_probe *p, struct ntkd_snapshot *snap)
{
	p->snap = ntkd_snapshot_ref(snap);
	p->started = pthread_create(&p->thread, NULL, probe_main, p) == 0;
	if (!p->started) {
		ntkd_log(LOG_WARNING, "ldap: startup check not run (no thread)");
		ntkd_snapshot_unref(p->snap);
		p->snap = NULL;
	}
}

void
ntkd_startup_probe_join(struct ntkd_startup_probe *p)
{
	if (p->started)
		pthread_join(p->thread, NULL);
	p->started = false;
	ntkd_snapshot_unref(p->snap);
	p->snap = NULL;
}
