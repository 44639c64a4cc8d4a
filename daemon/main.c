/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd: options, config, daemonizing, signals, and the objects the server shares. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cache.h"
#include "dir_sync.h"
#include "golive.h"
#include "grants.h"
#include "log.h"
#include "nss_map.h"
#include "ntk_config_perm.h"
#include "ntk_err.h"
#include "server.h"
#include "startup_probe.h"

#ifndef NTK_CONF_PATH
#define NTK_CONF_PATH "/etc/ntk/ntk.conf"
#endif

/* Users whose facts or groups are kept at once; the oldest goes first beyond. */
#define CACHE_MAX_ENTRIES 100000

static void
usage(FILE *f)
{
	fprintf(f, "usage: ntkd [-c FILE] [-f] [-d]\n"
	    "       ntkd -t [-c FILE] [--user NAME]\n"
	    "       ntkd --help | --version\n"
	    "  -c FILE      configuration (default %s)\n"
	    "  -f           stay in the foreground, log to stderr\n"
	    "  -d           debug logging\n"
	    "  -t           check the config against the live directory, then exit\n"
	    "               (0 clean, 1 warnings, 2 errors)\n"
	    "  --user NAME  with -t: show what NAME would be granted\n", NTK_CONF_PATH);
}

/* Detach: fork, setsid, fork, stdio on /dev/null. The parent exits 0 once detached. */
static int
daemonize(void)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	umask(022);
	if (chdir("/") != 0)
		return -1;
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/* Room for NTKD_MAX_CONNECTIONS clients plus LDAP and audit sockets. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	const char *path = NTK_CONF_PATH, *why = "";
	char *sockpath = NULL;
	struct ntkd d;
	struct ntkd_snapshot *snap = NULL;
	static const struct option long_opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ntkd_startup_probe probe = { 0 };
	const char *test_user = NULL;
	bool foreground = false, debug = false, test_only = false;
	char err[1024];
	sigset_t set;
	int opt, lfd = -1, sigfd = -1, rc, status = 1;

	while ((opt = getopt_long(argc, argv, "c:fdhtV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'f': foreground = true; break;
		case 'd': debug = true; break;
		case 't': test_only = true; break;
		case 'u': test_user = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ntkd (needtoknow) %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (test_user != NULL && !test_only)) {
		usage(stderr);
		return 2;
	}
	memset(&d, 0, sizeof(d));
	/* The local time zone, read once: `until=` dates are days in it (localtime_r does not reread). */
	tzset();
	/* The config is refused before anything else happens, on stderr either way. */
	ntkd_log_init(true, debug);
	if (test_only) {
		/* A server that drops the connection must be a finding, not a SIGPIPE. */
		signal(SIGPIPE, SIG_IGN);
		return ntkd_golive(path, test_user);
	}
	if (ntk_config_perm_check(path, err, sizeof(err)) != 0 ||
	    ntkd_snapshot_load(path, 1, &snap, err, sizeof(err)) != 0) {
		fprintf(stderr, "ntkd: %s\n", err);
		return 2;
	}
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	/* Signals go to the signalfd only: block them before any thread exists. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "ntkd: signalfd: %s\n", strerror(errno));
		goto out;
	}
	errno = 0;
	if ((lfd = ntkd_server_listen(snap->config.socket, &why)) < 0) {
		/* errno is 0 when the refusal is ours (a socket directory others could change). */
		fprintf(stderr, "ntkd: %s: %s%s%s\n", snap->config.socket, why,
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
		goto out;
	}
	if ((sockpath = strdup(snap->config.socket)) == NULL)
		goto out;
	if (!foreground && daemonize() != 0) {
		fprintf(stderr, "ntkd: cannot detach: %s\n", strerror(errno));
		goto out;
	}
	ntkd_log_init(foreground, debug);

	d.config_path = path;
	d.started = time(NULL);
	d.snap = snap;
	snap = NULL;
	pthread_mutex_init(&d.snap_lock, NULL);
	pthread_mutex_init(&d.ldap_lock, NULL);
	if ((rc = ntkd_cache_new(CACHE_MAX_ENTRIES, &d.facts)) != 0 ||
	    (rc = ntkd_cache_new(CACHE_MAX_ENTRIES, &d.groups)) != 0 ||
	    (rc = ntkd_grants_new(&d.grants)) != 0 ||
	    (rc = ntkd_audit_start(d.snap->config.audit_queue, d.snap->config.auditd_pid_file,
	    &d.audit)) != 0) {
		ntkd_log(LOG_ERR, "startup: %s", ntk_strerror(rc));
		goto out;
	}
	if (ntkd_nss_map_start(d.snap->config.socket) != 0)
		ntkd_log(LOG_WARNING, "nss map: not published (out of memory)");
	ntkd_log(LOG_INFO, "listening on %s (config %s)", d.snap->config.socket, path);
	ntkd_startup_probe_start(&probe, d.snap);
	/* Without it decisions still follow the directory, within ttl. */
	if ((rc = ntkd_dir_sync_start(&d, &d.sync)) != 0)
		ntkd_log(LOG_ERR, "dir_sync: not started: %s", ntk_strerror(rc));
	if (ntkd_server_run(&d, lfd, sigfd, d.snap->config.threads) == 0)
		status = 0;
	ntkd_dir_sync_stop(d.sync);
	d.sync = NULL;
	ntkd_startup_probe_join(&probe);
 out:
	if (lfd >= 0) {
		close(lfd);
		if (sockpath != NULL)
			unlink(sockpath);
	}
	free(sockpath);
	if (sigfd >= 0)
		close(sigfd);
	ntkd_dir_sync_stop(d.sync);
	ntkd_nss_map_stop();
	ntkd_audit_stop(d.audit);
	ntkd_grants_free(d.grants);
	ntkd_cache_free(d.groups);
	ntkd_cache_free(d.facts);
	ntkd_snapshot_unref(d.snap);
	ntkd_snapshot_unref(snap);
	free(d.ldap_server);
	if (d.config_path != NULL) {
		pthread_mutex_destroy(&d.snap_lock);
		pthread_mutex_destroy(&d.ldap_lock);
	}
	ntkd_log(LOG_INFO, "stopped");
	closelog();
	return status;
}
