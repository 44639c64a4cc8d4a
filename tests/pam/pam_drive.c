/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_drive: run the PAM account stage of a service, for pam_ntk's tests and benchmark. */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_appl.h>

/*
 * Usage: pam_drive [options] SERVICE USER
 *   --confdir DIR   read the service from DIR (pam_start_confdir), not /etc/pam.d
 *   --rhost HOST    set PAM_RHOST      --tty TTY   set PAM_TTY
 *   --silent        call pam_acct_mgmt with PAM_SILENT
 *   --no-conv       give PAM a conversation without a function
 *   --repeat N      N logins (pam_start, acct_mgmt, pam_end); prints µs per
 *                   login: mean, median, 99th percentile and maximum
 *   --leftovers     fail (exit 4) when an fd, thread or signal handler is left
 *                   behind after pam_end
 * Prints "result=NAME" for the last login and "conv=STYLE:TEXT" for each
 * message the modules sent. Exit status: 0 whatever PAM said (the caller
 * compares the result line), 2 on usage errors, 4 on leftovers.
 */

struct drive_opts {
	const char *confdir;
	const char *rhost;
	const char *tty;
	const char *service;
	const char *user;
	bool silent;
	bool no_conv;
	bool leftovers;
	long repeat;
};

static bool drive_quiet;        /* do not print conversation lines (benchmark) */

static const char *
drive_result_name(int r)
{
	switch (r) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
	case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
	case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
	case PAM_IGNORE: return "PAM_IGNORE";
	case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
	case PAM_ACCT_EXPIRED: return "PAM_ACCT_EXPIRED";
	case PAM_NEW_AUTHTOK_REQD: return "PAM_NEW_AUTHTOK_REQD";
	case PAM_BUF_ERR: return "PAM_BUF_ERR";
	case PAM_CONV_ERR: return "PAM_CONV_ERR";
	case PAM_OPEN_ERR: return "PAM_OPEN_ERR";
	case PAM_SYMBOL_ERR: return "PAM_SYMBOL_ERR";
	case PAM_ABORT: return "PAM_ABORT";
	case PAM_INCOMPLETE: return "PAM_INCOMPLETE";
	default: return "PAM_OTHER";
	}
}

/* Record what modules say; answer no prompt (the tests never need one). */
static int
drive_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	int i;

	(void)data;
	*resp = NULL;
	for (i = 0; i < n; i++) {
		const char *style;

		switch (msg[i]->msg_style) {
		case PAM_ERROR_MSG: style = "error"; break;
		case PAM_TEXT_INFO: style = "info"; break;
		default: return PAM_CONV_ERR;
		}
		if (!drive_quiet)
			printf("conv=%s:%s\n", style, msg[i]->msg);
	}
	return PAM_SUCCESS;
}

/* What a process holds that a module must not leave behind. */
struct drive_snapshot {
	char fds[4096];
	long threads;
	void *handlers[NSIG];
};

static void
drive_list_dir(const char *path, char *out, size_t size, long *count)
{
	DIR *d;
	struct dirent *e;
	size_t o = 0;

	out[0] = '\0';
	*count = 0;
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		int n;

		if (e->d_name[0] == '.')
			continue;
		/* The directory stream's own fd is not a leftover. */
		if (dirfd(d) == atoi(e->d_name) && strcmp(path, "/proc/self/fd") == 0)
			continue;
		(*count)++;
		n = snprintf(out + o, size - o, "%s ", e->d_name);
		if (n < 0 || (size_t)n >= size - o)
			break;
		o += (size_t)n;
	}
	closedir(d);
}

static void
drive_snap(struct drive_snapshot *s)
{
	char tasks[4096];
	long nfd;
	int sig;

	drive_list_dir("/proc/self/fd", s->fds, sizeof(s->fds), &nfd);
	drive_list_dir("/proc/self/task", tasks, sizeof(tasks), &s->threads);
	for (sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		s->handlers[sig] = NULL;
		if (sigaction(sig, NULL, &sa) == 0)
			s->handlers[sig] = (sa.sa_flags & SA_SIGINFO) ?
			    (void *)sa.sa_sigaction : (void *)sa.sa_handler;
	}
}

static int
drive_compare(const struct drive_snapshot *a, const struct drive_snapshot *b)
{
	int bad = 0, sig;

	if (strcmp(a->fds, b->fds) != 0) {
		printf("leftover=fds before [%s] after [%s]\n", a->fds, b->fds);
		bad = 1;
	}
	if (a->threads != b->threads) {
		printf("leftover=threads before %ld after %ld\n", a->threads, b->threads);
		bad = 1;
	}
	for (sig = 1; sig < NSIG; sig++) {
		if (a->handlers[sig] != b->handlers[sig]) {
			printf("leftover=signal handler for %d\n", sig);
			bad = 1;
		}
	}
	return bad;
}

static int
drive_one(const struct drive_opts *o, const struct pam_conv *conv)
{
	pam_handle_t *pamh = NULL;
	int r, r2;

	if (o->confdir != NULL)
		r = pam_start_confdir(o->service, o->user, conv, o->confdir, &pamh);
	else
		r = pam_start(o->service, o->user, conv, &pamh);
	if (r != PAM_SUCCESS) {
		printf("pam_start=%s\n", drive_result_name(r));
		return r;
	}
	if (o->rhost != NULL && (r = pam_set_item(pamh, PAM_RHOST, o->rhost)) != PAM_SUCCESS)
		goto out;
	if (o->tty != NULL && (r = pam_set_item(pamh, PAM_TTY, o->tty)) != PAM_SUCCESS)
		goto out;
	r = pam_acct_mgmt(pamh, o->silent ? PAM_SILENT : 0);
 out:
	if ((r2 = pam_end(pamh, r)) != PAM_SUCCESS)
		printf("pam_end=%s\n", drive_result_name(r2));
	return r;
}

static double
drive_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
drive_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct drive_opts o;
	struct pam_conv conv = { drive_conv, NULL };
	struct pam_conv noconv = { NULL, NULL };
	struct drive_snapshot before, after;
	double t0, t1, *lat = NULL;
	long i;
	int a, r = PAM_SYSTEM_ERR;

	memset(&o, 0, sizeof(o));
	o.repeat = 1;
	for (a = 1; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
		if (strcmp(argv[a], "--confdir") == 0 && a + 1 < argc)
			o.confdir = argv[++a];
		else if (strcmp(argv[a], "--rhost") == 0 && a + 1 < argc)
			o.rhost = argv[++a];
		else if (strcmp(argv[a], "--tty") == 0 && a + 1 < argc)
			o.tty = argv[++a];
		else if (strcmp(argv[a], "--silent") == 0)
			o.silent = true;
		else if (strcmp(argv[a], "--no-conv") == 0)
			o.no_conv = true;
		else if (strcmp(argv[a], "--leftovers") == 0)
			o.leftovers = true;
		else if (strcmp(argv[a], "--repeat") == 0 && a + 1 < argc) {
			o.repeat = strtol(argv[++a], NULL, 10);
			if (o.repeat < 1 || o.repeat > 1000000)
				return 2;
		} else {
			fprintf(stderr, "pam_drive: bad option %s\n", argv[a]);
			return 2;
		}
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: pam_drive [options] SERVICE USER\n");
		return 2;
	}
	o.service = argv[a];
	o.user = argv[a + 1];
	drive_quiet = o.repeat > 1;

	/*
	 * libc's syslog connection is the application's, shared with modules
	 * that log through pam_syslog: open it first, as daemons do, so that
	 * it is not counted as something a module left behind.
	 */
	openlog("pam_drive", LOG_NDELAY | LOG_PID, LOG_AUTHPRIV);
	if (o.repeat > 1 && (lat = calloc((size_t)o.repeat, sizeof(*lat))) == NULL)
		return 2;
	drive_snap(&before);
	t0 = drive_now_us();
	for (i = 0; i < o.repeat; i++) {
		double s = drive_now_us();

		r = drive_one(&o, o.no_conv ? &noconv : &conv);
		if (lat != NULL)
			lat[i] = drive_now_us() - s;
	}
	t1 = drive_now_us();
	drive_snap(&after);

	printf("result=%s\n", drive_result_name(r));
	if (lat != NULL) {
		qsort(lat, (size_t)o.repeat, sizeof(*lat), drive_cmp_double);
		printf("us_per_login=%.1f\n", (t1 - t0) / (double)o.repeat);
		printf("us_median=%.1f\n", lat[o.repeat / 2]);
		printf("us_p99=%.1f\n", lat[(o.repeat * 99) / 100]);
		printf("us_max=%.1f\n", lat[o.repeat - 1]);
		free(lat);
	}
	fflush(stdout);
	r = o.leftovers && drive_compare(&before, &after) != 0 ? 4 : 0;
	closelog();
	return r;
}
